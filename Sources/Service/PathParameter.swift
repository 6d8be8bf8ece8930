import Foundation
import Hummingbird

/// Path parameters, percent-decoded (`C%2F1` is the claim id `C/1`).
enum PathParameter {
    /// The decoded text of parameter `name`.
    static func text(_ name: String, _ context: some RequestContext) throws -> String {
        guard let raw = context.parameters.get(name), let value = raw.removingPercentEncoding, !value.isEmpty else {
            throw ServiceError.badRequest("\(name) is missing or not valid percent-encoded text")
        }
        return value
    }

    /// Parameter `name` as a whole number greater than 0.
    static func positiveInteger(_ name: String, _ context: some RequestContext) throws -> Int {
        guard let raw = context.parameters.get(name), raw.count <= 9, let value = Int(raw), value > 0 else {
            throw ServiceError.badRequest("\(name) must be a whole number greater than 0")
        }
        return value
    }
}
