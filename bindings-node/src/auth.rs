//! The auth and session flows; every method returns a Promise of a JSON document.

use banata_auth::{ChangePassword, SignInEmail, SignUpEmail, UpdateUser};
use napi_derive::napi;

use crate::client::NativeClient;
use crate::error::{Result, json, to_napi};

#[napi(object)]
pub struct NativeSignUp {
    pub name: String,
    pub email: String,
    pub password: String,
    pub image: Option<String>,
    pub callback_url: Option<String>,
    pub remember_me: Option<bool>,
}

#[napi(object)]
pub struct NativeSignIn {
    pub email: String,
    pub password: String,
    pub remember_me: Option<bool>,
    pub callback_url: Option<String>,
}

#[napi]
impl NativeClient {
    #[napi]
    pub async fn sign_up_email(&self, input: NativeSignUp) -> Result<String> {
        let mut request = SignUpEmail::new(input.name, input.email, input.password);
        request.image = input.image;
        request.callback_url = input.callback_url;
        request.remember_me = input.remember_me;
        json(self.client.auth().sign_up_email(request).await)
    }

    #[napi]
    pub async fn sign_in_email(&self, input: NativeSignIn) -> Result<String> {
        let mut request = SignInEmail::new(input.email, input.password);
        request.remember_me = input.remember_me;
        request.callback_url = input.callback_url;
        json(self.client.auth().sign_in_email(request).await)
    }

    #[napi]
    pub async fn get_session(&self) -> Result<String> {
        json(self.client.auth().get_session().await)
    }

    #[napi]
    pub async fn list_sessions(&self) -> Result<String> {
        json(self.client.auth().list_sessions().await)
    }

    #[napi]
    pub async fn revoke_session(&self, token: String) -> Result<()> {
        self.client
            .auth()
            .revoke_session(&token)
            .await
            .map_err(to_napi)
    }

    #[napi]
    pub async fn revoke_other_sessions(&self) -> Result<()> {
        self.client
            .auth()
            .revoke_other_sessions()
            .await
            .map_err(to_napi)
    }

    #[napi]
    pub async fn revoke_sessions(&self) -> Result<()> {
        self.client.auth().revoke_sessions().await.map_err(to_napi)
    }

    #[napi]
    pub async fn sign_out(&self) -> Result<()> {
        self.client.auth().sign_out().await.map_err(to_napi)
    }

    #[napi]
    pub async fn update_user(&self, name: Option<String>, image: Option<String>) -> Result<()> {
        self.client
            .auth()
            .update_user(UpdateUser { name, image })
            .await
            .map_err(to_napi)
    }

    #[napi]
    pub async fn change_password(
        &self,
        current_password: String,
        new_password: String,
        revoke_other_sessions: Option<bool>,
    ) -> Result<String> {
        let mut request = ChangePassword::new(current_password, new_password);
        request.revoke_other_sessions = revoke_other_sessions;
        json(self.client.auth().change_password(request).await)
    }

    #[napi]
    pub async fn request_password_reset(
        &self,
        email: String,
        redirect_to: Option<String>,
    ) -> Result<String> {
        json(
            self.client
                .auth()
                .request_password_reset(&email, redirect_to.as_deref())
                .await,
        )
    }

    #[napi]
    pub async fn reset_password(&self, token: String, new_password: String) -> Result<()> {
        self.client
            .auth()
            .reset_password(&token, &new_password)
            .await
            .map_err(to_napi)
    }
}
