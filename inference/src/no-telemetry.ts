/**
 * ONNX Runtime 1.30 on Linux starts Microsoft's telemetry (the 1DS SDK: usage events meant for
 * Microsoft, and an empty `mat-debug-<pid>.log` in the temp folder of every process that loads it).
 * A self-hosted platform sends nothing anywhere: it is switched off before onnxruntime-node loads,
 * unless the operator set ORT_DISABLE_TELEMETRY themself. Imported first by every module that
 * imports onnxruntime-node (ES modules evaluate their imports in order).
 */
// eslint-disable-next-line no-restricted-properties -- the native library reads it from the process environment
process.env.ORT_DISABLE_TELEMETRY ??= '1';
