// Idiomatic Kotlin on top of the generated bindings: auth events as a Flow.
package dev.banata.auth

import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.channels.trySendBlocking
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.callbackFlow
import kotlinx.coroutines.channels.BufferOverflow

/**
 * The client's auth events of [eventType] (null: every event), in order, as a cold [Flow]:
 * collecting subscribes, cancelling the collector unsubscribes.
 *
 * ```
 * client.events("user.created").collect { println(it.data.userId) }
 * ```
 */
fun BanataClient.events(eventType: String? = null, capacity: Int = 256): Flow<AuthEvent> = callbackFlow {
    val subscription = subscribe(object : EventListener {
        override fun onEvent(event: AuthEvent) {
            // Called on the client's event thread; waits only if the collector fell behind.
            trySendBlocking(event)
        }
    }, eventType)
    awaitClose { subscription.cancel(); subscription.close() }
}.buffer(capacity, BufferOverflow.SUSPEND)
