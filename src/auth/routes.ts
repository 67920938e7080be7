import { Router } from 'express';
import type { AppContext } from '../context.js';

// Placeholder: this module's routes are being built.
export function authRouter(_ctx: AppContext): Router {
  return Router();
}
