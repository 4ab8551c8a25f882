// ESM entry point: the same classes as the CommonJS one.
import banata from './index.js'

export const {
  BanataClient,
  Forwarder,
  SessionStoreError,
  BanataError,
  AuthenticationError,
  ForbiddenError,
  NotFoundError,
  ConflictError,
  ValidationError,
  RateLimitError,
  ServerError,
  TimeoutError,
  ConnectionError,
  ConfigurationError,
} = banata
export default banata
