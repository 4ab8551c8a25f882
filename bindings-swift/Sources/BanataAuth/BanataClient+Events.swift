// Idiomatic Swift on top of the generated bindings: auth events as an AsyncStream.
import Foundation

private final class StreamListener: EventListener, @unchecked Sendable {
    private let continuation: AsyncStream<AuthEvent>.Continuation

    init(_ continuation: AsyncStream<AuthEvent>.Continuation) {
        self.continuation = continuation
    }

    func onEvent(event: AuthEvent) {
        continuation.yield(event)
    }
}

public extension BanataClient {
    /// The client's auth events of `eventType` (nil: every event), in order. Iterating
    /// subscribes; ending the iteration (or cancelling its task) unsubscribes.
    ///
    /// ```swift
    /// for await event in client.events(ofType: "user.created") {
    ///     print(event.data.userId ?? "")
    /// }
    /// ```
    func events(ofType eventType: String? = nil, bufferingNewest limit: Int = 256) -> AsyncStream<AuthEvent> {
        AsyncStream(bufferingPolicy: .bufferingNewest(limit)) { continuation in
            let subscription = self.subscribe(listener: StreamListener(continuation), eventType: eventType)
            continuation.onTermination = { _ in subscription.cancel() }
        }
    }
}
