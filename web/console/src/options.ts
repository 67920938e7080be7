import { useEffect, useState } from 'preact/hooks';
import { listAll } from './api';
import type { Option } from './form';

/** Choices for a picker from a whole list (locations, activities, identity types); empty until read. */
export function useOptions<T>(path: string, label: (item: T) => string, value: (item: T) => string | number = (item) => (item as { id: number }).id): Option[] {
  const [options, setOptions] = useState<Option[]>([]);
  useEffect(() => {
    let live = true;
    listAll<T>(path)
      .then((items) => live && setOptions(items.map((item) => ({ value: value(item), label: label(item) }))))
      .catch(() => live && setOptions([]));
    return () => void (live = false);
  }, [path]);
  return options;
}

/** The label of a value among options (a location's name for its id in a table). */
export const labelOf = (options: Option[], value: unknown): string => options.find((o) => o.value === value)?.label ?? (value === null || value === undefined ? '—' : String(value));
