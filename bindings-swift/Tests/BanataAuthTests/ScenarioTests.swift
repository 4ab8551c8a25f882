// The shared scenarios (tests/scenarios/*.json, see its README) through the Swift binding: each
// step is one `callOperation`, errors are the thrown `BanataError` cases. Prints "ok - <name>"
// per scenario, as the other languages' suites name them. Needs BANATA_SCENARIOS (the folder),
// BANATA_BASE_URL and BANATA_API_KEY (the devserver's admin key).
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
@testable import BanataAuth

private func fill(_ value: Any, _ vars: [String: Any]) -> Any {
    if let s = value as? String {
        if s.hasPrefix("{"), s.hasSuffix("}"), let v = vars[String(s.dropFirst().dropLast())] { return v }
        var out = s
        for (name, v) in vars { if let text = v as? String { out = out.replacingOccurrences(of: "{\(name)}", with: text) } }
        return out
    }
    if let items = value as? [Any] { return items.map { fill($0, vars) } }
    if let map = value as? [String: Any] { return map.mapValues { fill($0, vars) } }
    return value
}

private func at(_ value: Any?, _ path: String) -> Any? {
    path.split(separator: ".").reduce(value) { v, key in
        if let items = v as? [Any], let i = Int(key) { return i < items.count ? items[i] : nil }
        if let map = v as? [String: Any] { return map[String(key)] }
        return nil
    }
}

private func json(_ value: Any) -> String {
    let data = try! JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
    return String(decoding: data, as: UTF8.self)
}

private func parse(_ text: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
}

/// The core's kind, status and code of a thrown error: `RateLimited(…)` → `rate_limited`.
private func fields(_ error: BanataError) -> (String, Int?, String?) {
    guard let case_ = Mirror(reflecting: error).children.first, let name = case_.label else { return ("?", nil, nil) }
    let kind = name.replacingOccurrences(of: "([a-z])([A-Z])", with: "$1_$2", options: .regularExpression).lowercased()
    var status: Int?
    var code: String?
    for field in Mirror(reflecting: case_.value).children {
        if field.label == "status", let s = field.value as? UInt16 { status = Int(s) }
        if field.label == "code", let c = field.value as? String { code = c }
    }
    return (kind, status, code)
}

/// A call to the devserver with its admin key (`/__dev/…` routes).
func devAdmin(_ method: String, _ path: String, _ body: Any? = nil) async throws -> Any {
    let env = ProcessInfo.processInfo.environment
    var request = URLRequest(url: URL(string: env["BANATA_BASE_URL"]! + path)!)
    request.httpMethod = method
    request.setValue("Bearer \(env["BANATA_API_KEY"]!)", forHTTPHeaderField: "authorization")
    request.setValue("application/json", forHTTPHeaderField: "content-type")
    if let body { request.httpBody = Data(json(body).utf8) }
    let data: Data = try await withCheckedThrowingContinuation { done in
        URLSession.shared.dataTask(with: request) { data, _, error in
            if let error { done.resume(throwing: error) } else { done.resume(returning: data ?? Data()) }
        }.resume()
    }
    return (try? JSONSerialization.jsonObject(with: data)) ?? NSNull()
}

final class ScenarioTests: XCTestCase {
    let env = ProcessInfo.processInfo.environment

    func admin(_ method: String, _ path: String, _ body: Any? = nil) async throws -> Any {
        try await devAdmin(method, path, body)
    }

    func testSharedScenarios() async throws {
        let folder = try XCTUnwrap(env["BANATA_SCENARIOS"], "set BANATA_SCENARIOS to tests/scenarios")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }.sorted()
        XCTAssertFalse(files.isEmpty)
        for file in files {
            let scenario = try parse(String(contentsOfFile: "\(folder)/\(file)", encoding: .utf8)) as! [String: Any]
            let name = scenario["name"] as! String
            do {
                try await run(scenario)
                print("ok - \(name)")
            } catch {
                print("FAIL - \(name): \(error)")
                XCTFail("\(name): \(error)")
            }
        }
    }

    struct Failure: Error, CustomStringConvertible { let description: String }

    func run(_ scenario: [String: Any]) async throws {
        var vars: [String: Any] = ["email": "scenario-\(UUID().uuidString.prefix(12).lowercased())@example.com",
                                   "password": "correct horse battery staple"]
        let adminClient = try BanataClient(baseUrl: env["BANATA_BASE_URL"]!, apiKey: env["BANATA_API_KEY"])
        let anonymous = try BanataClient(baseUrl: env["BANATA_BASE_URL"]!)
        let recorder = Recorder()
        let subscription = adminClient.subscribe(listener: recorder)
        defer { subscription.cancel() }
        for (i, raw) in (scenario["steps"] as! [Any]).enumerated() {
            let step = fill(raw, vars) as! [String: Any]
            var result: Any = NSNull()
            if let fault = step["fault"] {
                _ = try await admin("POST", "/__dev/faults", fault)
                continue
            } else if let to = step["mail"] as? String {
                let query = to.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? to
                let mails = (try await admin("GET", "/__dev/mailbox?to=\(query)") as! [String: Any])["mails"] as! [Any]
                guard let last = mails.last else { throw Failure(description: "step \(i): no mail") }
                result = last
            } else {
                let id = step["call"] as! String
                let client = (step["client"] as? String) == "anonymous" ? anonymous : adminClient
                let input = json(step["input"] ?? NSNull())
                if let want = step["error"] as? [String: Any] {
                    do {
                        let out = try await client.callOperation(operation: id, inputJson: input)
                        throw Failure(description: "step \(i) (\(id)): expected an error, got \(out)")
                    } catch let error as BanataError {
                        let (kind, status, code) = fields(error)
                        let got: [String: Any] = ["kind": kind, "status": status as Any, "code": code as Any]
                        for key in ["kind", "status", "code"] where want[key] != nil {
                            if json(want[key]!) != json(got[key] ?? NSNull()) {
                                throw Failure(description: "step \(i) (\(id)): \(key) expected \(want[key]!), got \(error)")
                            }
                        }
                    }
                    continue
                }
                result = try parse(try await client.callOperation(operation: id, inputJson: input))
                if step.keys.contains("expect") {
                    if step["expect"] is NSNull {
                        if !(result is NSNull) { throw Failure(description: "step \(i): expected null, got \(result)") }
                    } else {
                        for (path, want) in step["expect"] as! [String: Any] {
                            let got = at(result, path)
                            let ok = (want as? String) == "*" ? (got != nil && !(got is NSNull)) : (got.map(json) == json(want))
                            if !ok { throw Failure(description: "step \(i) (\(id)): \(path) expected \(want), got \(String(describing: got))") }
                        }
                    }
                }
            }
            for (name, path) in (step["save"] as? [String: String]) ?? [:] {
                guard let value = at(result, path) else { throw Failure(description: "step \(i): no \(path)") }
                vars[name] = value
            }
        }
        let want = scenario["events"] as! [String]
        for _ in 0..<200 where recorder.types.count < want.count { try await Task.sleep(nanoseconds: 10_000_000) }
        try await Task.sleep(nanoseconds: 20_000_000)
        if recorder.types != want { throw Failure(description: "events: expected \(want), got \(recorder.types)") }
    }
}
