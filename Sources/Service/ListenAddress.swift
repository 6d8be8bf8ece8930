#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which addresses the service may listen on in clear text: loopback only. Member data never
/// crosses a network unencrypted, so any other host needs a token file (a token the operator
/// chose and distributes) and TLS.
public enum ListenAddress {
    /// Whether `host` is a loopback address: `localhost`, 127.0.0.0/8 or `::1`.
    public static func isLoopback(_ host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name == "localhost" { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, name, &v4) == 1 {
            return UInt32(bigEndian: v4.s_addr) >> 24 == 127
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, name, &v6) == 1 {
            let bytes = withUnsafeBytes(of: &v6) { Array($0) }
            if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }      // ::1
            let mapped = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF
            return mapped && bytes[12] == 127                                                  // ::ffff:127.x.x.x
        }
        return false
    }

    /// nil when the service may listen on `host`; else the one-line refusal.
    public static func refusal(host: String, hasTokenFile: Bool, hasTLS: Bool) -> String? {
        if isLoopback(host) || (hasTokenFile && hasTLS) { return nil }
        var missing: [String] = []
        if !hasTokenFile { missing.append("--token-file FILE") }
        if !hasTLS { missing.append("--tls-cert FILE --tls-key FILE") }
        return "\(host) is not a loopback address: serving member data beyond this machine needs \(missing.joined(separator: " and ")) (member data never crosses a network in clear text)"
    }

    /// `host` as written in a URL (IPv6 in brackets).
    public static func urlHost(_ host: String) -> String {
        host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
    }
}
