// swift-tools-version:5.9
// The Swift examples: a minimal sign-in flow and a two-factor sign-in. Build the XCFramework
// first (scripts/build-xcframework.sh on macOS), then:
//   swift run --package-path examples/swift SignIn http://127.0.0.1:8787
//   swift run --package-path examples/swift TwoFactor http://127.0.0.1:8787
// On Linux, scripts/test-swift.sh builds and runs both against the devserver.
import PackageDescription

let package = Package(
    name: "SignInExample",
    platforms: [.macOS(.v12)],
    dependencies: [.package(path: "../../bindings-swift")],
    targets: [
        .executableTarget(name: "SignIn", dependencies: [.product(name: "BanataAuth", package: "bindings-swift")]),
        .executableTarget(name: "TwoFactor", dependencies: [.product(name: "BanataAuth", package: "bindings-swift")]),
    ]
)
