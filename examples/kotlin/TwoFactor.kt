// Two-factor sign-in end to end with the Kotlin bindings: turn two-factor on for a user, then
// sign in on another device, which stops for the second factor and completes with a code.
//
// The codes are the one-time codes the server mails; the local devserver keeps them in its dev
// mailbox, which `readCode` reads here. A code from an authenticator app (`verifyTotp`) or a
// backup code (`verifyBackupCode`) works the same. The Kotlin suite (scripts/test-kotlin.sh) runs
// it against a devserver started with `--two-factor`.
package example

import dev.banata.auth.BanataClient
import dev.banata.auth.SignInResult

/**
 * Runs the flow for a new account [email]. [readCode] returns the newest code mailed to an
 * address (in an app: what the user types in).
 */
suspend fun twoFactorFlow(
    baseUrl: String,
    email: String,
    password: String,
    readCode: suspend (String) -> String,
    log: (String) -> Unit = ::println,
) {
    // On the laptop: sign up and turn two-factor on; confirming a first code switches it on.
    val laptop = BanataClient(baseUrl, sessionStore = TokenStore())
    laptop.signUpEmail("Ada Lovelace", email, password)
    val setup = laptop.enableTwoFactor(password)
    log("enable     authenticator URI and ${setup.backupCodes.size} backup codes issued")
    laptop.sendTwoFactorOtp()
    laptop.verifyTwoFactorOtp(readCode(email))
    log("confirm    two-factor on")

    // On the phone: the password alone is not enough any more.
    val phone = BanataClient(baseUrl, sessionStore = TokenStore())
    when (val step = phone.signInEmail(email, password)) {
        is SignInResult.SecondFactorRequired -> log("sign-in    a second factor is required")
        is SignInResult.SignedIn -> error("signed in without a second factor")
        is SignInResult.VerificationRequired -> error("verify ${step.email} first")
    }
    // The client keeps the pending sign-in; the app passes only the code.
    phone.sendTwoFactorOtp()
    val signedIn = phone.verifyTwoFactorOtp(readCode(email))
    log("verify     signed in as ${signedIn.user.email}")
    val session = phone.getSession() ?: error("no session after the second factor")
    log("session    ${session.session.id}")
    phone.signOut()
    laptop.signOut()
}
