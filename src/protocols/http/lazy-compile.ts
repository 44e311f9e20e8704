/**
 * Route schemas compiled on first use instead of at `app.ready()`. Fastify compiles a validator
 * per request part and a serializer per response status of every route when the app starts;
 * each is generated code (Ajv, fast-json-stringify) that stays in memory, about 4 MB of RSS for
 * this API, most of it for routes a given deployment never calls (docs/footprint.md). Here each
 * compiles the first time its route needs it (a few milliseconds, once), with the same compiler
 * and options, so answers are byte for byte the same. The compilers themselves (Ajv,
 * fast-json-stringify and their dependencies, ~1.4 MB of V8 heap) are loaded by the first
 * compilation too: an idle server never loads them.
 */

import { createRequire } from 'node:module';
import type { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { Ajv, Options as AjvOptions, ValidateFunction } from 'ajv';
import type { FastifySchemaValidationError } from 'fastify';

// Synchronous loads for the first compilation (both packages are CommonJS).
const require = createRequire(import.meta.url);

/** A compiled validator as Fastify calls it: Ajv's signature, `errors` set after a failure. */
export interface LazyValidator {
  (data: unknown, dataCxt?: Parameters<ValidateFunction>[1]): boolean;
  errors?: FastifySchemaValidationError[] | null;
  schemaEnv?: unknown;
}

/** A validator that runs `compile()` on its first call and then delegates to the result. */
export function lazyValidator(compile: () => ValidateFunction): LazyValidator {
  let fn: ValidateFunction | null = null;
  const v: LazyValidator = (data, dataCxt) => {
    if (fn === null) fn = compile();
    const ok = fn(data, dataCxt);
    v.errors = fn.errors as FastifySchemaValidationError[] | null | undefined;
    return ok;
  };
  // Fastify hands the parent object (so Ajv may replace a coerced root value, a query string
  // number) only to functions that look like Ajv's, which have `schemaEnv`.
  v.schemaEnv = true;
  return v;
}

type SerializerFactory = ReturnType<typeof SerializerSelector>;

/**
 * Fastify's own serializer factory (fast-json-stringify with the app's shared schemas), whose
 * serializers compile on their first response. For `schemaController.compilersFactory`.
 */
export function lazySerializerFactory(): SerializerFactory {
  return (externalSchemas, options) => {
    let compile: ReturnType<SerializerFactory> | null = null;
    return (route) => {
      let fn: ((doc: unknown) => string) | null = null;
      return (doc) => {
        if (fn === null) {
          if (compile === null) {
            const { SerializerSelector: selector } = require('@fastify/fast-json-stringify-compiler') as {
              SerializerSelector: typeof SerializerSelector;
            };
            compile = selector()(externalSchemas, options);
          }
          fn = compile(route);
        }
        return fn(doc);
      };
    };
  };
}

/**
 * An Ajv instance created, with Ajv itself loaded, the first time `get()` is called: the
 * same class and options as `new Ajv(options)` at start.
 */
export function lazyAjv(options: AjvOptions): { get(): Ajv } {
  let ajv: Ajv | null = null;
  return {
    get() {
      if (ajv === null) {
        const { Ajv: AjvClass } = require('ajv') as { Ajv: typeof Ajv };
        ajv = new AjvClass(options);
      }
      return ajv;
    },
  };
}
