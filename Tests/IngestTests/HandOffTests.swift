import Foundation
@testable import Ingest
import Testing

/// The bounded queue between the thread that reads a claims file and the one that writes it.
@Suite struct HandOffTests {
    private struct Broken: Error, Equatable {}

    /// Runs `body` on a new thread.
    private func onThread(_ body: @escaping @Sendable () -> Void) {
        Thread { body() }.start()
    }

    @Test func itemsArriveInOrderThenTheEnd() throws {
        let handOff = HandOff<Int>(capacity: 2)
        onThread {
            for i in 0..<1_000 { try? handOff.put(i) }
            handOff.finish()
        }
        var received: [Int] = []
        while let item = try handOff.next() { received.append(item) }
        #expect(received == Array(0..<1_000))
    }

    @Test func theProducersErrorComesAfterItsItems() throws {
        let handOff = HandOff<Int>(capacity: 3)
        onThread {
            for i in 0..<3 { try? handOff.put(i) }
            handOff.finish(throwing: Broken())
        }
        var received: [Int] = []
        #expect(throws: Broken.self) {
            while let item = try handOff.next() { received.append(item) }
        }
        #expect(received == [0, 1, 2])
    }

    @Test func cancellingReleasesAProducerWaitingOnAFullQueue() throws {
        let handOff = HandOff<Int>(capacity: 1)
        let outcome = Outcome()
        onThread {
            do {
                for i in 0..<100 { try handOff.put(i) }
                outcome.set("not cancelled")
            } catch is HandOff<Int>.Cancelled {
                outcome.set("cancelled")
            } catch {
                outcome.set("other error")
            }
            handOff.finish(throwing: HandOff<Int>.Cancelled())
        }
        #expect(try handOff.next() == 0)
        handOff.cancel()
        handOff.waitUntilFinished()
        #expect(outcome.value == "cancelled")
    }

    /// A value set on one thread and read on another after `waitUntilFinished`.
    private final class Outcome: @unchecked Sendable {
        private let lock = NSLock()
        private var text = ""
        func set(_ value: String) { lock.withLock { text = value } }
        var value: String { lock.withLock { text } }
    }
}
