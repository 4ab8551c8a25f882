'use strict'
// The base of the error classes (the subclasses, one per core error kind, are generated into
// generated.js): every error carries the core error's fields.

function setFields(error, fields) {
  error.name = error.constructor.name
  error.kind = fields.kind ?? 'api'
  error.status = fields.status ?? null
  error.code = fields.code ?? null
  error.requestId = fields.requestId ?? null
  error.retryAfter = fields.retryAfter ?? null
  error.connectionCause = fields.connectionCause ?? null
  // Not enumerable: a raw body can be long; it is there when asked for.
  Object.defineProperty(error, 'body', { value: fields.body ?? null, enumerable: false })
}

class BanataError extends Error {
  constructor(message, fields = {}) {
    super(message)
    setFields(this, fields)
  }
}

module.exports = { BanataError, setFields }
