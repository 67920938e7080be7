/**
 * What partners publish: gyms, their classes and the classes' slots. Ids are sandbox-assigned
 * integers, unique across gyms; a class or slot of another gym is not found. Classes are never
 * deleted; a deleted slot stays here, cancelled, and out of every answer.
 */
import type { ClassInput, SlotInput, SlotPatch } from './dto.js';
import { fieldError, WellpassError } from './errors.js';

export interface ClassDto {
  id: number;
  name: string;
  description: string;
  notes: string | null;
  bookable: boolean;
  visible: boolean;
  product_id: number;
  reference: string | null;
  categories: number[];
}

export interface SlotDto {
  id: number;
  class_id: number;
  occur_date: string;
  room: string | null;
  status: 0 | 1;
  length_in_minutes: number;
  total_capacity: number;
  total_booked: number;
  product_id: number;
  booking_window: { opens_at: string; closes_at: string } | null;
  cancellable_until: string | null;
  instructors: { name: string; substitute: boolean }[];
  virtual: boolean;
}

/** A slot as the sandbox's state shows it: cancelled ones (DELETE) included. */
export interface SandboxSlot extends SlotDto {
  gym_id: string;
  cancelled: boolean;
}

interface StoredClass extends ClassDto {
  gym_id: string;
}

export class Catalog {
  private readonly known = new Set<string>();
  private readonly classes = new Map<number, StoredClass>();
  private readonly slots = new Map<number, SandboxSlot>();
  private nextClassId = 1;
  private nextSlotId = 1;

  /** `fixed`: only these gyms exist; otherwise any gym id is taken as a gym on first use. */
  constructor(private readonly fixed: readonly string[] | null) {}

  gym(gymId: string): string {
    if (this.fixed && !this.fixed.includes(gymId)) throw WellpassError.notFound('gym', gymId);
    this.known.add(gymId);
    return gymId;
  }

  /** Gyms seen so far (or the fixed list). */
  gyms(): string[] {
    return this.fixed ? [...this.fixed] : [...this.known];
  }

  addClasses(gymId: string, inputs: ClassInput[]): ClassDto[] {
    return inputs.map((input) => {
      const stored: StoredClass = { id: this.nextClassId++, gym_id: gymId, ...classFields(input) };
      this.classes.set(stored.id, stored);
      return classDto(stored);
    });
  }

  class(gymId: string, classId: number): ClassDto {
    return classDto(this.storedClass(gymId, classId));
  }

  listClasses(gymId?: string): ClassDto[] {
    return [...this.classes.values()].filter((c) => gymId === undefined || c.gym_id === gymId).map(classDto);
  }

  replaceClass(gymId: string, classId: number, input: ClassInput): ClassDto {
    return classDto(Object.assign(this.storedClass(gymId, classId), classFields(input)));
  }

  addSlot(gymId: string, classId: number, input: SlotInput): SlotDto {
    this.storedClass(gymId, classId);
    const slot: SandboxSlot = { id: this.nextSlotId++, class_id: classId, ...slotFields(input), gym_id: gymId, cancelled: false };
    this.slots.set(slot.id, slot);
    return slotDto(slot);
  }

  slot(gymId: string, classId: number, slotId: number): SlotDto {
    return slotDto(this.storedSlot(gymId, classId, slotId));
  }

  /** The slot's gym and class as bookings name them, and whether a member could book it now. */
  bookable(gymId: string, slotId: number): { slot: SlotDto; available: boolean } {
    const slot = this.slots.get(slotId);
    if (!slot || slot.gym_id !== gymId || slot.cancelled) throw WellpassError.notFound('slot', slotId);
    const owner = this.classes.get(slot.class_id)!;
    return { slot: slotDto(slot), available: owner.visible && owner.bookable && slot.status === 1 };
  }

  /** The class's live slots starting within [from, to] (epoch ms; either end open). */
  listSlots(gymId: string, classId: number, from: number | null, to: number | null): SlotDto[] {
    this.storedClass(gymId, classId);
    return [...this.slots.values()]
      .filter((s) => s.class_id === classId && !s.cancelled)
      .filter((s) => (from === null || Date.parse(s.occur_date) >= from) && (to === null || Date.parse(s.occur_date) <= to))
      .map(slotDto);
  }

  allSlots(gymId?: string): SandboxSlot[] {
    return [...this.slots.values()].filter((s) => gymId === undefined || s.gym_id === gymId).map((s) => ({ ...s, instructors: s.instructors.map((i) => ({ ...i })) }));
  }

  replaceSlot(gymId: string, classId: number, slotId: number, input: SlotInput): SlotDto {
    return slotDto(Object.assign(this.storedSlot(gymId, classId, slotId), slotFields(input)));
  }

  /** Absolute occupancy values, so a repeated PATCH changes nothing. */
  patchSlot(gymId: string, classId: number, slotId: number, patch: SlotPatch): SlotDto {
    const slot = this.storedSlot(gymId, classId, slotId);
    const capacity = patch.total_capacity ?? slot.total_capacity;
    const booked = patch.total_booked ?? slot.total_booked;
    if (booked > capacity) throw WellpassError.invalid([fieldError('total_booked', `must not exceed total_capacity (${booked} > ${capacity})`)]);
    return slotDto(Object.assign(slot, { total_capacity: capacity, total_booked: booked }));
  }

  cancelSlot(gymId: string, classId: number, slotId: number): void {
    this.storedSlot(gymId, classId, slotId).cancelled = true;
  }

  clear() {
    this.known.clear();
    this.classes.clear();
    this.slots.clear();
    this.nextClassId = this.nextSlotId = 1;
  }

  private storedClass(gymId: string, classId: number): StoredClass {
    const found = this.classes.get(classId);
    if (!found || found.gym_id !== gymId) throw WellpassError.notFound('class', classId);
    return found;
  }

  private storedSlot(gymId: string, classId: number, slotId: number): SandboxSlot {
    this.storedClass(gymId, classId);
    const slot = this.slots.get(slotId);
    if (!slot || slot.class_id !== classId || slot.cancelled) throw WellpassError.notFound('slot', slotId);
    return slot;
  }
}

function classFields(input: ClassInput): Omit<ClassDto, 'id'> {
  return {
    name: input.name,
    description: input.description,
    notes: input.notes ?? null,
    bookable: input.bookable,
    visible: input.visible,
    product_id: input.product_id,
    reference: input.reference ?? null,
    categories: [...(input.categories ?? [])],
  };
}

function slotFields(input: SlotInput): Omit<SlotDto, 'id' | 'class_id'> {
  return {
    occur_date: input.occur_date,
    room: input.room ?? null,
    status: input.status,
    length_in_minutes: input.length_in_minutes,
    total_capacity: input.total_capacity,
    total_booked: input.total_booked,
    product_id: input.product_id,
    booking_window: input.booking_window ? { opens_at: input.booking_window.opens_at, closes_at: input.booking_window.closes_at } : null,
    cancellable_until: input.cancellable_until ?? null,
    instructors: (input.instructors ?? []).map((i) => ({ name: i.name, substitute: i.substitute })),
    virtual: input.virtual ?? false,
  };
}

function classDto({ gym_id: _gym, ...c }: StoredClass): ClassDto {
  return { ...c, categories: [...c.categories] };
}

function slotDto({ gym_id: _gym, cancelled: _cancelled, ...s }: SandboxSlot): SlotDto {
  return { ...s, booking_window: s.booking_window && { ...s.booking_window }, instructors: s.instructors.map((i) => ({ ...i })) };
}
