import { describe, expect, it } from 'vitest';
import { alignmentPositions, dataCodewords, encodeQr, formatBits, qrPath, rsRemainder } from './qr';

describe('QR encoder', () => {
  it('uses the standard format information for level M', () => {
    // Table C.1 of ISO/IEC 18004: M with masks 0…7.
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(formatBits)).toEqual([0x5412, 0x5125, 0x5e7c, 0x5b4b, 0x45f9, 0x40ce, 0x4f97, 0x4aa0]);
  });
  it('knows the capacities and alignment positions', () => {
    expect(dataCodewords(1)).toBe(16);
    expect(dataCodewords(4)).toBe(64);
    expect(dataCodewords(10)).toBe(216);
    expect(alignmentPositions(1)).toEqual([]);
    expect(alignmentPositions(7)).toEqual([6, 22, 38]);
    expect(alignmentPositions(14)).toEqual([6, 26, 46, 66]);
  });
  it('computes Reed–Solomon remainders', () => {
    // "HELLO WORLD" 1-M data codewords and their 10 EC codewords (thonky.com's worked example).
    const data = [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17];
    const divisor10 = [216, 194, 159, 111, 199, 94, 95, 113, 157, 193];
    expect(rsRemainder(data, divisor10)).toEqual([196, 35, 39, 119, 235, 215, 231, 226, 93, 23]);
  });
  it('picks the smallest version and draws the finder patterns', () => {
    const url = 'http://127.0.0.1:8080/i/7QK2M-ABCDE-FGHJK-LMNPQ-RSTVW';
    const code = encodeQr(url);
    expect(code).not.toBeNull();
    expect(code!.version).toBe(4);
    expect(code!.size).toBe(33);
    const row0 = code!.modules[0]!.slice(0, 8).map((d) => (d ? 1 : 0));
    expect(row0).toEqual([1, 1, 1, 1, 1, 1, 1, 0]);
    expect(qrPath(code!)).toMatch(/^M4 4h1v1h-1z/);
    expect(encodeQr('x'.repeat(500))).toBeNull();
  });
});
