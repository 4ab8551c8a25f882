// swift-tools-version:5.9
// A minimal sign-in flow with the Swift package. Build the XCFramework first
// (scripts/build-xcframework.sh on macOS), then:
//   swift run --package-path examples/swift SignIn http://127.0.0.1:8787
import PackageDescription

let package = Package(
    name: "SignInExample",
    platforms: [.macOS(.v12)],
    dependencies: [.package(path: "../../bindings-swift")],
    targets: [
        .executableTarget(name: "SignIn", dependencies: [.product(name: "BanataAuth", package: "bindings-swift")]),
    ]
)
