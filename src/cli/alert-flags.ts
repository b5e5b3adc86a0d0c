/**
 * Parsers for the controller's alert and notification flags: each rejects bad input with a
 * message naming the value, through commander's InvalidArgumentError.
 *
 * @example
 * secondsIn(0, 3600)('2.5'); // 2500 (ms)
 * fractionIn('0.3'); // 0.3
 */
import { InvalidArgumentError } from 'commander';

/** Seconds (decimals allowed) within [min, max], returned in milliseconds. */
export function secondsIn(min: number, max: number): (value: string) => number {
  return (value: string) => {
    const n = Number(value.trim());
    if (value.trim() === '' || !Number.isFinite(n))
      throw new InvalidArgumentError(`'${value}' is not a number of seconds.`);
    if (n < min || n > max) throw new InvalidArgumentError(`${n} s is outside ${min}..${max} s.`);
    return Math.round(n * 1000);
  };
}

/** A share within 0..1. */
export function fractionIn(value: string): number {
  const n = Number(value.trim());
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1)
    throw new InvalidArgumentError(`'${value}' is not a fraction between 0 and 1.`);
  return n;
}
