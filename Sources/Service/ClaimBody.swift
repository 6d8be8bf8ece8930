import Foundation
import Ingest

/// Reads the JSON body of `POST /v1/check` (`{"claim": {...}}`) into extract rows: the claim's
/// fields repeated on each line, `diagnoses[i]` as `diagnosis_code_{i+1}`.
///
/// Values may be strings, numbers or null (null is an empty field, as in the extract); the
/// loader's rules judge them later. Broken JSON or the wrong shape is a 400; more than 25
/// diagnoses or no lines is a 422.
enum ClaimBody {
    static let maxDiagnoses = 25

    /// The rows of one `{"claim": {...}}` document.
    static func rows(json bytes: some Collection<UInt8>) throws -> [ExtractRow] {
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw ServiceError.badRequest(describe(error))
        } catch {
            throw ServiceError.badRequest("the body is not valid JSON")
        }
        return try rows(document.claim)
    }

    static func rows(_ claim: Claim) throws -> [ExtractRow] {
        guard claim.diagnoses.count <= maxDiagnoses else {
            throw ServiceError(.unprocessableContent, "a claim has at most \(maxDiagnoses) diagnoses (diagnosis_code_1 ... diagnosis_code_25)", field: "diagnoses")
        }
        guard !claim.lines.isEmpty else {
            throw ServiceError(.unprocessableContent, "the claim has no lines", field: "lines")
        }
        var shared = claim.fields
        for (index, code) in claim.diagnoses.enumerated() { shared["diagnosis_code_\(index + 1)"] = code }
        return claim.lines.enumerated().map { index, line in
            ExtractRow(line: index + 1, fields: shared.merging(line) { _, lineValue in lineValue })
        }
    }

    /// `{"claim": {...}}`.
    struct Document: Decodable {
        let claim: Claim
    }

    /// A claim object: scalar fields, `diagnoses` and `lines`.
    struct Claim: Decodable {
        var fields: [String: String] = [:]
        var diagnoses: [String] = []
        var lines: [[String: String]] = []

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: AnyKey.self)
            for key in container.allKeys {
                switch key.stringValue.lowercased() {
                case "diagnoses":
                    diagnoses = try container.decode([Scalar].self, forKey: key).map(\.text)
                case "lines":
                    lines = try container.decode([LineObject].self, forKey: key).map(\.fields)
                default:
                    fields[key.stringValue.lowercased()] = try container.decode(Scalar.self, forKey: key).text
                }
            }
        }
    }

    /// A claim line object: scalar fields only.
    struct LineObject: Decodable {
        var fields: [String: String] = [:]

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: AnyKey.self)
            for key in container.allKeys {
                fields[key.stringValue.lowercased()] = try container.decode(Scalar.self, forKey: key).text
            }
        }
    }

    /// A string, a number or null, as extract text.
    struct Scalar: Decodable {
        let text: String

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() { text = ""; return }
            if let value = try? container.decode(String.self) { text = value; return }
            if let value = try? container.decode(Int64.self) { text = String(value); return }
            if let value = try? container.decode(Double.self), value.isFinite { text = String(value); return }
            throw DecodingError.typeMismatch(String.self, .init(codingPath: decoder.codingPath,
                debugDescription: "must be a string, a number or null"))
        }
    }

    struct AnyKey: CodingKey {
        let stringValue: String
        let intValue: Int?
        init(stringValue: String) { self.stringValue = stringValue; intValue = nil }
        init(intValue: Int) { stringValue = String(intValue); self.intValue = intValue }
    }

    /// Where the body went wrong, by path (`claim.lines[0].hcpcs_code: must be ...`), without values.
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            var text = ""
            for key in keys {
                if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
            }
            return text
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return "the body is not valid JSON"
        case .keyNotFound(let key, let context):
            let at = path(context.codingPath)
            return "the body needs \(at.isEmpty ? "" : at + ".")\(key.stringValue) (send {\"claim\": {...}})"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let at = path(context.codingPath)
            let what = context.debugDescription.hasPrefix("must be") ? context.debugDescription : "has the wrong type"
            return at.isEmpty ? "the body must be a JSON object {\"claim\": {...}}" : "\(at) \(what)"
        @unknown default:
            return "the body is not a claim"
        }
    }
}
