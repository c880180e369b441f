/** Where `schema/pipeline.schema.json` is, from this module (survives the CLI's bundling). */
export const SCHEMA_FILE = new URL('../../../schema/pipeline.schema.json', import.meta.url);
