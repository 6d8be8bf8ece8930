import Foundation

/// A bounded queue from one producer thread to one consumer: the producer blocks while `capacity`
/// items wait, the consumer while none does. Either side can end it: the producer with `finish`
/// (after its last item, or with the error that stopped it), the consumer with `cancel` (the
/// producer's next `put` throws `Cancelled`).
final class HandOff<Item: Sendable>: @unchecked Sendable {
    /// Thrown by `put` once the consumer has cancelled.
    struct Cancelled: Error {}

    private let capacity: Int
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var items: [Item] = []
    private var finished = false
    private var failure: (any Error)?
    private var cancelled = false

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    /// Adds an item, waiting while the queue is full.
    func put(_ item: Item) throws {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && !cancelled { condition.wait() }
        if cancelled { throw Cancelled() }
        items.append(item)
        condition.broadcast()
    }

    /// Ends the producer's side: no more items; `error` is what the consumer's `next` throws once
    /// the waiting items are taken.
    func finish(throwing error: (any Error)? = nil) {
        condition.lock()
        defer { condition.unlock() }
        finished = true
        failure = error
        condition.broadcast()
    }

    /// The next item, waiting for one; nil once the producer has finished and every item is taken.
    /// Throws the error the producer finished with.
    func next() throws -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !finished { condition.wait() }
        if !items.isEmpty {
            // A few items at most: removing the first moves only those.
            let item = items.removeFirst()
            condition.broadcast()
            return item
        }
        if let failure { throw failure }
        return nil
    }

    /// Ends the consumer's side: waiting items are dropped and the producer's next `put` throws.
    func cancel() {
        condition.lock()
        defer { condition.unlock() }
        cancelled = true
        items.removeAll()
        condition.broadcast()
    }

    /// Waits until the producer has called `finish`.
    func waitUntilFinished() {
        condition.lock()
        defer { condition.unlock() }
        while !finished { condition.wait() }
    }
}
