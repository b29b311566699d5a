/**
 * The parts of `@echogarden/espeak-ng-emscripten` (espeak-ng compiled with Emscripten, no
 * typings of its own) that the WebAssembly engine uses. The module is ESM and exports the
 * Emscripten factory as default.
 */
declare module '@echogarden/espeak-ng-emscripten' {
  export interface EspeakNgWorker {
    /** espeak_ERROR: 0 when the voice (`lang[+variant]`) was found. */
    set_voice(name: string): number;
    /** Words per minute. */
    set_rate(wpm: number): void;
    readonly samplerate: number;
    /** Calls the function at `callbackPointer` with (samples pointer, sample count, events pointer) until done. */
    synth_(text: string, callbackPointer: number): void;
  }
  export interface EspeakNgModule {
    eSpeakNGWorker: new () => EspeakNgWorker;
    HEAP16: Int16Array;
    addFunction(fn: (samples: number, count: number, events: number) => number, signature: string): number;
    removeFunction(pointer: number): void;
  }
  const createModule: (options?: object) => Promise<EspeakNgModule>;
  export default createModule;
}
