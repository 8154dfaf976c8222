// A Python ebmbot config the importer cannot convert: the message names the namespace and key.
export class ImportError extends Error {}
