//! The README's first command: the quickstart runs against the in-process devserver and shows
//! every step.

use std::process::Command;

#[test]
fn quickstart_runs_every_step_against_the_devserver() {
    let output = Command::new(env!("CARGO_BIN_EXE_quickstart"))
        .env_remove("BANATA_BASE_URL")
        .env_remove("BANATA_API_KEY")
        .output()
        .expect("the quickstart starts");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for step in [
        "devserver  http://127.0.0.1:",
        "sign-up    user ",
        "mailbox    Verify your email address: http://127.0.0.1:",
        "verify     e-mail verified: true",
        "sign-in    token stored: true",
        "session    ",
        "sessions   1 active",
        "addons     before: enabled []",
        "addons     after:  enabled [posthog, segment]",
        "sign-out   done",
        "forwarded  sent ",
        "segment           enabled  received: identify, Signed Up, Signed In, Signed Out (",
        "posthog           enabled  received: user signed up, user signed in, user signed out (",
        "google-analytics  disabled received: - (0 requests)",
        r#""type":"user.created""#,
        r#""type":"email.verified""#,
        r#""type":"session.created""#,
        r#""type":"addon_config.updated""#,
        r#""type":"session.revoked""#,
    ] {
        assert!(stdout.contains(step), "missing {step:?} in:\n{stdout}");
    }
    assert!(
        !stdout.contains("correct horse"),
        "the password is never printed"
    );
}

#[test]
fn the_two_factor_example_signs_in_with_a_second_factor() {
    let output = Command::new(env!("CARGO_BIN_EXE_two_factor"))
        .output()
        .expect("the example starts");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for step in [
        "enable     authenticator URI and 10 backup codes issued",
        "confirm    two-factor on: true",
        "sign-in    a second factor is required",
        "verify     signed in as ada+",
        "session    ",
    ] {
        assert!(stdout.contains(step), "missing {step:?} in:\n{stdout}");
    }
    assert!(!stdout.contains("otpauth"), "the secret is never printed");
}
