import Foundation
import Service
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// What `lbp serve` needs before it listens: a token file only its owner can read (or one it
/// writes owner-only beside the database), and loopback unless there is TLS and a token file.
struct StartupTests {
    @Test func tokenFilesMustBeOwnerOnly() throws {
        let directory = TemporaryDirectory()
        let path = directory.write("token", "  s3cret-token-0123456789\n")
        chmod(path, 0o644)
        #expect(throws: ServiceStartError.self) { try TokenFile.read(path: path) }
        chmod(path, 0o640)
        #expect(throws: ServiceStartError.self) { try TokenFile.read(path: path) }
        chmod(path, 0o600)
        #expect(try TokenFile.read(path: path) == "s3cret-token-0123456789")
        chmod(directory.write("short", "abc\n"), 0o600)
        #expect(throws: ServiceStartError.self) { try TokenFile.read(path: directory.file("short")) }
        #expect(throws: ServiceStartError.self) { try TokenFile.read(path: directory.file("missing")) }
        #expect(throws: ServiceStartError.self) { try TokenFile.read(path: directory.path) }
    }

    @Test func aGeneratedTokenIsWrittenOwnerOnlyAndKept() throws {
        let directory = TemporaryDirectory()
        let database = directory.file("lbp.sqlite")
        let first = try TokenFile.generated(forDatabase: database)
        #expect(first.created && first.path == database + ".token")
        #expect(first.token.count == 64 && first.token.allSatisfy(\.isHexDigit))
        var info = stat()
        #expect(stat(first.path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        let second = try TokenFile.generated(forDatabase: database)
        #expect(!second.created && second.token == first.token)
        chmod(first.path, 0o644)
        #expect(throws: ServiceStartError.self) { try TokenFile.generated(forDatabase: database) }
        #expect(try TokenFile.generated(forDatabase: directory.file("other.sqlite")).token != first.token)
    }

    @Test func onlyLoopbackInClearText() {
        for host in ["127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "::1", "[::1]", "::ffff:127.0.0.1"] {
            #expect(ListenAddress.isLoopback(host), "\(host)")
            #expect(ListenAddress.refusal(host: host, hasTokenFile: false, hasTLS: false) == nil)
        }
        for host in ["0.0.0.0", "::", "10.0.0.5", "192.168.1.1", "example.org", "128.0.0.1", "::2"] {
            #expect(!ListenAddress.isLoopback(host), "\(host)")
            #expect(ListenAddress.refusal(host: host, hasTokenFile: true, hasTLS: true) == nil)
        }
        #expect(ListenAddress.refusal(host: "0.0.0.0", hasTokenFile: false, hasTLS: false)
                == "0.0.0.0 is not a loopback address: serving member data beyond this machine needs --token-file FILE and --tls-cert FILE --tls-key FILE (member data never crosses a network in clear text)")
        #expect(ListenAddress.refusal(host: "0.0.0.0", hasTokenFile: true, hasTLS: false)?.contains("needs --tls-cert FILE --tls-key FILE (") == true)
        #expect(ListenAddress.urlHost("::1") == "[::1]" && ListenAddress.urlHost("127.0.0.1") == "127.0.0.1")
    }
}
