/**
 * A very small WebAssembly emitter: just enough of the binary format (one imported memory, a few
 * functions, i32 and 128-bit SIMD instructions) to build the byte-search kernel of
 * candidateKernel.ts at run time, with no build tool and no binary blob in the repository.
 *
 * Reference: the WebAssembly core specification, binary format (sections 5.x) and the fixed-width
 * SIMD proposal (opcodes behind the 0xFD prefix).
 */

export type ValType = 'i32' | 'v128';
const TYPE_CODE: Record<ValType, number> = { i32: 0x7f, v128: 0x7b };

export function uleb(n: number): number[] {
  if (!Number.isInteger(n) || n < 0) throw new Error(`uleb: bad value ${n}`);
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

export function sleb(n: number): number[] {
  if (!Number.isInteger(n)) throw new Error(`sleb: bad value ${n}`);
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function name(s: string): number[] {
  const b = Buffer.from(s, 'utf8');
  return [...uleb(b.length), ...b];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

/**
 * Instruction builder: every method appends one instruction and returns this, for chaining.
 * Blocks and loops may be named; br/brIf take the name and the emitter counts the depth.
 */
export class Code {
  readonly bytes: number[] = [];
  private readonly labels: Array<string | null> = [];

  /** blocks not yet closed (0 when the function body is complete) */
  get openBlocks(): number {
    return this.labels.length;
  }

  private depthOf(label: string | number): number {
    if (typeof label === 'number') return label;
    const i = this.labels.lastIndexOf(label);
    if (i < 0) throw new Error(`no enclosing block named ${label}`);
    return this.labels.length - 1 - i;
  }

  private op(...b: number[]): this {
    this.bytes.push(...b);
    return this;
  }

  private simd(opcode: number, ...imm: number[]): this {
    return this.op(0xfd, ...uleb(opcode), ...imm);
  }

  // control
  block(label: string | null = null): this {
    this.labels.push(label);
    return this.op(0x02, 0x40);
  }
  loop(label: string | null = null): this {
    this.labels.push(label);
    return this.op(0x03, 0x40);
  }
  if(label: string | null = null): this {
    this.labels.push(label);
    return this.op(0x04, 0x40);
  }
  else(): this { return this.op(0x05); }
  end(): this {
    if (this.labels.length === 0) throw new Error('end without a block');
    this.labels.pop();
    return this.op(0x0b);
  }
  br(label: string | number): this { return this.op(0x0c, ...uleb(this.depthOf(label))); }
  brIf(label: string | number): this { return this.op(0x0d, ...uleb(this.depthOf(label))); }
  return(): this { return this.op(0x0f); }

  // locals
  get(i: number): this { return this.op(0x20, ...uleb(i)); }
  set(i: number): this { return this.op(0x21, ...uleb(i)); }
  tee(i: number): this { return this.op(0x22, ...uleb(i)); }

  // i32
  i32(v: number): this { return this.op(0x41, ...sleb(v | 0)); }
  load(offset = 0): this { return this.op(0x28, 2, ...uleb(offset)); }
  load8(offset = 0): this { return this.op(0x2d, 0, ...uleb(offset)); }
  store(offset = 0): this { return this.op(0x36, 2, ...uleb(offset)); }
  eqz(): this { return this.op(0x45); }
  eq(): this { return this.op(0x46); }
  ne(): this { return this.op(0x47); }
  ltU(): this { return this.op(0x49); }
  gtU(): this { return this.op(0x4b); }
  leU(): this { return this.op(0x4d); }
  geU(): this { return this.op(0x4f); }
  ctz(): this { return this.op(0x68); }
  add(): this { return this.op(0x6a); }
  sub(): this { return this.op(0x6b); }
  mul(): this { return this.op(0x6c); }
  and(): this { return this.op(0x71); }
  shl(): this { return this.op(0x74); }
  shrU(): this { return this.op(0x76); }
  xor(): this { return this.op(0x73); }

  // v128 (opcodes of the SIMD proposal)
  v128Load(offset = 0): this { return this.simd(0x00, 0, ...uleb(offset)); }
  v128Store(offset = 0): this { return this.simd(0x0b, 0, ...uleb(offset)); }
  v128Const(bytes: readonly number[]): this {
    if (bytes.length !== 16) throw new Error('v128Const needs 16 bytes');
    return this.simd(0x0c, ...bytes);
  }
  swizzle(): this { return this.simd(0x0e); }
  splat8(): this { return this.simd(0x0f); }
  extractLane32(lane: number): this { return this.simd(0x1b, lane); }
  eq8(): this { return this.simd(0x23); }
  vAnd(): this { return this.simd(0x4e); }
  anyTrue(): this { return this.simd(0x53); }
  bitmask8(): this { return this.simd(0x64); }
  vOr(): this { return this.simd(0x50); }
  vNot(): this { return this.simd(0x4d); }
  shrU8(): this { return this.simd(0x6d); }
  shrU16(): this { return this.simd(0x8d); }
  sub8(): this { return this.simd(0x71); }
  extaddPairwiseU8(): this { return this.simd(0x7d); }
  extaddPairwiseU16(): this { return this.simd(0x7f); }
}

export interface FunctionSpec {
  name: string;
  params: ValType[];
  results: ValType[];
  /** locals after the parameters, in index order */
  locals: ValType[];
  code: Code;
}

/** A module importing one memory as env.memory and exporting the given functions. */
export function buildModule(functions: FunctionSpec[], memoryPages: number): Uint8Array {
  const types = functions.map((f) => [0x60, ...uleb(f.params.length), ...f.params.map((t) => TYPE_CODE[t]), ...uleb(f.results.length), ...f.results.map((t) => TYPE_CODE[t])]);
  const typeSec = section(1, [...uleb(types.length), ...types.flat()]);
  const importSec = section(2, [1, ...name('env'), ...name('memory'), 0x02, 0x01, ...uleb(memoryPages), ...uleb(memoryPages)]);
  const funcSec = section(3, [...uleb(functions.length), ...functions.flatMap((_, i) => uleb(i))]);
  const exportSec = section(7, [...uleb(functions.length), ...functions.flatMap((f, i) => [...name(f.name), 0x00, ...uleb(i)])]);
  const bodies = functions.map((f) => {
    // locals are declared as runs of one type
    const runs: Array<[number, ValType]> = [];
    for (const t of f.locals) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    if (f.code.openBlocks !== 0) throw new Error(`${f.name}: unclosed block`);
    const body = [...uleb(runs.length), ...runs.flatMap(([n, t]) => [...uleb(n), TYPE_CODE[t]]), ...f.code.bytes, 0x0b];
    return [...uleb(body.length), ...body];
  });
  const codeSec = section(10, [...uleb(bodies.length), ...bodies.flat()]);
  return Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...typeSec, ...importSec, ...funcSec, ...exportSec, ...codeSec]);
}
