import Foundation
import History
import Policy
import SQLiteDB
import TestSupport
import Testing

/// `--wait`: a writer waits for another process's write lock as long as it is told, then goes on,
/// or fails with exit 75 when the wait runs out.
@Suite("lbp load and decide wait for the write lock")
struct WriteLockWaitTests {
    /// Holds the database's write lock from another connection on its own thread until `release`.
    private final class LockHolder: @unchecked Sendable {
        // Only the holder's thread touches its connection; the semaphores order the hand-offs.
        private let locked = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)

        init(path: String) {
            Thread.detachNewThread { [locked, release] in
                let db = try! Connection(path: path, mode: .readWrite)
                try! db.execute("BEGIN IMMEDIATE")
                locked.signal()
                release.wait()
                try! db.execute("COMMIT")
            }
            locked.wait()
        }

        func releaseLock(after seconds: Double) {
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [release] in release.signal() }
        }
    }

    @Test("a decide started while another writer holds the lock waits and then decides")
    func waitsThenDecides() throws {
        let history = try TestHistory.enrolled()
        try history.loadClaims([imaging("IMG", start: "2024-03-10")])
        let holder = LockHolder(path: history.databasePath)
        holder.releaseLock(after: 1.0)
        let result = try runLBP(["decide", "--database", history.databasePath, "--wait", "30"], in: history.directory.path)
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout.contains("1 imaging lines"))
    }

    @Test("when the wait runs out, one line and exit 75; nothing changed")
    func waitRunsOut() throws {
        let history = try TestHistory.enrolled()
        let claims = history.directory.write("claims.csv", ClaimRow.csv([imaging("IMG", start: "2024-03-10")]))
        let holder = LockHolder(path: history.databasePath)
        defer { holder.releaseLock(after: 0) }
        let result = try runLBP(["load", "claims", claims, "--database", history.databasePath, "--wait", "1"],
                                in: history.directory.path)
        #expect(result.exitCode == 75)
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.contains("locked by another lbp process"))
        #expect(try history.db.scalarInt("SELECT count(*) FROM claim") == 0)
    }
}
