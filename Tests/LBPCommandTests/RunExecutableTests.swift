import Foundation
import Testing
import TestSupport

/// The run-the-binary helper every end-to-end test relies on.
@Suite("Running a program")
struct RunExecutableTests {
    /// A child that writes far more than a pipe's buffer (64 KiB on Linux) to stderr, then to
    /// stdout: reading one pipe to its end before the other would block both processes forever.
    /// The time limit turns such a deadlock into a failure instead of a hung suite.
    @Test(.timeLimit(.minutes(1)))
    func largeStderrBeforeStdoutDoesNotBlock() throws {
        let directory = TemporaryDirectory()
        let script = "head -c 1000000 /dev/zero | tr '\\0' e >&2; head -c 300000 /dev/zero | tr '\\0' o; exit 3"
        let result = try runExecutable("/bin/sh", ["-c", script], in: directory.path)
        #expect(result.exitCode == 3)
        #expect(result.stderr.utf8.count == 1_000_000)
        #expect(result.stderr.utf8.allSatisfy { $0 == UInt8(ascii: "e") })
        #expect(result.stdout.utf8.count == 300_000)
        #expect(result.stdout.utf8.allSatisfy { $0 == UInt8(ascii: "o") })
    }

    /// Both pipes written to in turns, several buffers' worth each.
    @Test(.timeLimit(.minutes(1)))
    func interleavedLargeOutputs() throws {
        let directory = TemporaryDirectory()
        let script = "for i in 1 2 3 4 5 6 7 8; do head -c 100000 /dev/zero >&2; head -c 100000 /dev/zero; done"
        let result = try runExecutable("/bin/sh", ["-c", script], in: directory.path)
        #expect(result.exitCode == 0)
        #expect(result.stderr.utf8.count == 800_000)
        #expect(result.stdout.utf8.count == 800_000)
    }

    @Test func exitStatusSignalAndEnvironment() throws {
        let directory = TemporaryDirectory()
        let env = try runExecutable("/bin/sh", ["-c", "printf '%s|%s|%s' \"$HOME\" \"$EXTRA\" \"$(pwd)\""],
                                    in: directory.path, environment: ["EXTRA": "x y"])
        let cwd = URL(fileURLWithPath: directory.path).resolvingSymlinksInPath().path
        #expect(env.stdout == "\(directory.path)|x y|\(cwd)")
        #expect(env.stderr == "")
        let killed = try runExecutable("/bin/sh", ["-c", "kill -KILL $$"], in: directory.path)
        #expect(killed.exitCode == 128 + 9)
    }
}
