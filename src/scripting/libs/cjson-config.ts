/** lua-cjson's settings (cjson.encode_max_depth, cjson.encode_number_precision, ...), per VM. */
export interface Config {
  maxDepthEncode: number;
  maxDepthDecode: number;
  precision: number;
  sparseConvert: boolean;
  sparseRatio: number;
  sparseSafe: number;
  invalidEncode: boolean;
  invalidDecode: boolean;
  keepBuffer: boolean;
}

/** lua-cjson 2.1's defaults. */
export function defaultConfig(): Config {
  return {
    maxDepthEncode: 1000,
    maxDepthDecode: 1000,
    precision: 14,
    sparseConvert: false,
    sparseRatio: 2,
    sparseSafe: 10,
    invalidEncode: false,
    invalidDecode: true,
    keepBuffer: true,
  };
}
