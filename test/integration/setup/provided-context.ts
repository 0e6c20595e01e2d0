/** Values the integration global setup hands to test files through vitest's `provide`/`inject`. */
declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the one moto server of this test run (`http://127.0.0.1:<port>`). */
    motoEndpoint: string;
  }
}

/** Key under which the global setup provides the moto endpoint. */
export const MOTO_ENDPOINT_KEY = 'motoEndpoint';
