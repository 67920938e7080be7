import type { AppContext } from '../../context.js';
import { countPendingAssignments } from '../../packages/service.js';
import { listPackagesWithAltIds } from '../../packages/repository.js';
import type { Integration } from '../types.js';
import { createPerfectGymClient } from './connection.js';
import type { PgPaymentPlan, PgProduct } from './types.js';

/** Perfect Gym's payment plans and products with the alt id to give a package, and the package that has it. */
export async function getCatalog(ctx: AppContext, integration: Integration) {
  const pg = createPerfectGymClient(ctx, integration);
  const [plans, products, packages, pending] = await Promise.all([
    pg.listAll<PgPaymentPlan>('PaymentPlans', { filter: 'isDeleted eq false' }),
    pg.listAll<PgProduct>('Products', { filter: 'isDeleted eq false' }),
    listPackagesWithAltIds(ctx.db),
    countPendingAssignments(ctx, integration.id),
  ]);
  const byAlt = new Map(packages.map((p) => [p.altId, { id: p.id, name: p.name }]));
  const waiting = new Map(pending.map((p) => [p.altId, p.count]));
  const entry = (altId: string, fields: object) => ({ ...fields, altId, package: byAlt.get(altId) ?? null, pendingAssignments: waiting.get(altId) ?? 0 });
  return {
    paymentPlans: plans.map((p) => entry(`payment_plan_${p.id}`, { id: p.id, name: p.name, isActive: p.isActive, isAdditional: p.isAdditional })),
    products: products.map((p) => entry(`product_${p.id}`, { id: p.id, name: p.name, productType: p.productType })),
  };
}
