// Android's part of SocialSignIn: the provider's page in a Custom Tab (androidx.browser) and the
// deep link back. Compiled by an Android build (it needs the Android SDK and
// androidx.browser:browser); the JVM test covers SocialSignIn itself.
//
// The activity that receives the callback declares it in the manifest:
//
//   <intent-filter>
//     <action android:name="android.intent.action.VIEW" />
//     <category android:name="android.intent.category.DEFAULT" />
//     <category android:name="android.intent.category.BROWSABLE" />
//     <data android:scheme="myapp" android:host="auth" />
//   </intent-filter>
package dev.banata.auth

import android.app.Activity
import android.content.Intent
import android.net.Uri
import androidx.browser.customtabs.CustomTabsIntent

/** The Custom Tabs intent for this flow's provider page (starts the flow on the server). */
suspend fun SocialSignIn.customTabsIntent(): Pair<CustomTabsIntent, Uri> =
    CustomTabsIntent.Builder().setShowTitle(true).build() to Uri.parse(authorizationUrl())

/** Starts the flow and opens the provider's page in a Custom Tab over [activity]. */
suspend fun SocialSignIn.launch(activity: Activity) {
    val (tab, page) = customTabsIntent()
    tab.launchUrl(activity, page)
}

/**
 * Completes the flow from the deep link in [intent]: the session (sign-in), or null when the
 * intent is not this flow's callback. A link flow uses [handleLinkDeepLink].
 */
suspend fun SocialSignIn.handleDeepLink(intent: Intent): AuthResult? {
    val uri = intent.data?.toString() ?: return null
    return if (isCallback(uri)) complete(uri) else null
}

/** Completes a link flow from the deep link in [intent]: the linked account, or null. */
suspend fun SocialSignIn.handleLinkDeepLink(intent: Intent): Account? {
    val uri = intent.data?.toString() ?: return null
    return if (isCallback(uri)) completeLink(uri) else null
}
