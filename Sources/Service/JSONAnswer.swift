import Foundation
import Hummingbird

/// Encodes answers as JSON the same way everywhere: sorted keys, no escaped slashes, UTF-8.
enum JSONAnswer {
    /// A compact, deterministic encoder.
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// The bytes of `value` as JSON (encoding our own answer types cannot fail; a failure is a bug
    /// and becomes an empty object rather than a crash).
    static func bytes(_ value: some Encodable) -> [UInt8] {
        (try? Array(encoder().encode(value))) ?? Array("{}".utf8)
    }

    /// A response with `value` as its JSON body.
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        body(bytes(value), contentType: "application/json; charset=utf-8", status: status)
    }

    /// A response with the given bytes and content type.
    static func body(_ bytes: [UInt8], contentType: String, status: HTTPResponse.Status = .ok,
                     extraHeaders: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: contentType]
        headers.append(contentsOf: extraHeaders)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
