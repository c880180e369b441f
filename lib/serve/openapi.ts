/** The OpenAPI 3 description of the server's routes (served at /openapi.json). */
export function openApi(models: readonly string[]): unknown {
  const error = { description: 'A reason', content: { 'application/json': { schema: { type: 'object', properties: { error: { type: 'string' } }, required: ['error'] } } } };
  const name = { name: 'name', in: 'path', required: true, schema: { type: 'string', enum: [...models] } };
  const version = { name: 'version', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } };
  const predict = {
    summary: 'Predict with the production version (or the version in the path)',
    requestBody: {
      required: true,
      content: { 'application/json': { schema: {
        type: 'object', required: ['instances'],
        properties: { instances: { type: 'array', minItems: 1, items: { description: 'a string (date-translator, g2p, spam), a list of values (forecaster), a list of steps of features (classifier) or a clip, frames × rows × columns of pixel intensities in [0, 1] (video); see GET /v1/models/{name} for the shape' } }, attention: { type: 'boolean', description: 'add the attention weights to each prediction (not the video model: a 400)' } },
      } } },
    },
    responses: {
      200: { description: 'One prediction per instance', content: { 'application/json': { schema: { type: 'object', properties: { model: { type: 'string' }, version: { type: 'integer' }, predictions: { type: 'array' } } } } } },
      400: error, 404: error, 413: error, 501: error, 503: error,
    },
  };
  const describe = { summary: 'Versions, metrics and input/output of a model', responses: { 200: { description: 'The model' }, 404: error } };
  return {
    openapi: '3.0.3',
    info: { title: 'seqlab model server', version: '1', description: 'Registered models of models/registry.json, TF Serving REST conventions.' },
    paths: {
      '/v1/models': { get: { summary: 'Every registered model', responses: { 200: { description: 'The models' } } } },
      '/v1/models/{name}': { get: { ...describe, parameters: [name] } },
      '/v1/models/{name}/versions/{version}': { get: { ...describe, parameters: [name, version] } },
      '/v1/models/{name}:predict': { post: { ...predict, parameters: [name] } },
      '/v1/models/{name}/versions/{version}:predict': { post: { ...predict, parameters: [name, version] } },
    },
  };
}
