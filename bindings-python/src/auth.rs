//! The auth and session flows (`client.auth`).

use std::sync::Arc;

use banata_auth::{ChangePassword, SignInEmail, SignUpEmail, UpdateUser};
use pyo3::prelude::*;

use crate::client::Shared;
use crate::runtime::json;

/// `client.auth`: every method runs blocking with the GIL released, or returns an asyncio
/// future when `asynchronous=True`. Results are JSON documents the Python half decodes.
#[pyclass(frozen, module = "banata_auth._native")]
pub struct NativeAuth {
    pub(crate) shared: Arc<Shared>,
}

#[pymethods]
impl NativeAuth {
    #[pyo3(signature = (name, email, password, *, image=None, callback_url=None, remember_me=None, asynchronous=false))]
    #[allow(clippy::too_many_arguments)]
    fn sign_up_email<'py>(
        &self,
        py: Python<'py>,
        name: String,
        email: String,
        password: String,
        image: Option<String>,
        callback_url: Option<String>,
        remember_me: Option<bool>,
        asynchronous: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut request = SignUpEmail::new(name, email, password);
        request.image = image;
        request.callback_url = callback_url;
        request.remember_me = remember_me;
        self.shared
            .call(py, asynchronous, move |client| async move {
                json(&client.auth().sign_up_email(request).await?)
            })
    }

    #[pyo3(signature = (email, password, *, remember_me=None, callback_url=None, asynchronous=false))]
    fn sign_in_email<'py>(
        &self,
        py: Python<'py>,
        email: String,
        password: String,
        remember_me: Option<bool>,
        callback_url: Option<String>,
        asynchronous: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut request = SignInEmail::new(email, password);
        request.remember_me = remember_me;
        request.callback_url = callback_url;
        self.shared
            .call(py, asynchronous, move |client| async move {
                json(&client.auth().sign_in_email(request).await?)
            })
    }

    #[pyo3(signature = (*, asynchronous=false))]
    fn get_session<'py>(&self, py: Python<'py>, asynchronous: bool) -> PyResult<Bound<'py, PyAny>> {
        self.shared
            .call(py, asynchronous, move |client| async move {
                match client.auth().get_session().await? {
                    Some(session) => json(&session),
                    None => Ok(None),
                }
            })
    }

    #[pyo3(signature = (*, asynchronous=false))]
    fn list_sessions<'py>(
        &self,
        py: Python<'py>,
        asynchronous: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.shared
            .call(py, asynchronous, move |client| async move {
                json(&client.auth().list_sessions().await?)
            })
    }

    #[pyo3(signature = (token, *, asynchronous=false))]
    fn revoke_session<'py>(
        &self,
        py: Python<'py>,
        token: String,
        asynchronous: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.shared
            .call(py, asynchronous, move |client| async move {
                client.auth().revoke_session(&token).await?;
                Ok(None)
            })
    }

    #[pyo3(signature = (*, asynchronous=false))]
    fn revoke_other_sessions<'py>(
        &self,
        py: Python<'py>,
        asynchronous: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.shared
            .call(py, asynchronous, move |client| async move {
                client.auth().revoke_other_sessions().await?;
                Ok(None)
            })
    }

    #[pyo3(signature = (*, asynchronous=false))]
    fn revoke_sessions<'py>(
        &self,
        py: Python<'py>,
        asynchronous: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.shared
            .call(py, asynchronous, move |client| async move {
                client.auth().revoke_sessions().await?;
                Ok(None)
            })
    }

    #[pyo3(signature = (*, asynchronous=false))]
    fn sign_out<'py>(&self, py: Python<'py>, asynchronous: bool) -> PyResult<Bound<'py, PyAny>> {
        self.shared
            .call(py, asynchronous, move |client| async move {
                client.auth().sign_out().await?;
                Ok(None)
            })
    }

    #[pyo3(signature = (*, name=None, image=None, asynchronous=false))]
    fn update_user<'py>(
        &self,
        py: Python<'py>,
        name: Option<String>,
        image: Option<String>,
        asynchronous: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let update = UpdateUser { name, image };
        self.shared
            .call(py, asynchronous, move |client| async move {
                client.auth().update_user(update).await?;
                Ok(None)
            })
    }

    #[pyo3(signature = (current_password, new_password, *, revoke_other_sessions=None, asynchronous=false))]
    fn change_password<'py>(
        &self,
        py: Python<'py>,
        current_password: String,
        new_password: String,
        revoke_other_sessions: Option<bool>,
        asynchronous: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut request = ChangePassword::new(current_password, new_password);
        request.revoke_other_sessions = revoke_other_sessions;
        self.shared
            .call(py, asynchronous, move |client| async move {
                json(&client.auth().change_password(request).await?)
            })
    }

    #[pyo3(signature = (email, *, redirect_to=None, asynchronous=false))]
    fn request_password_reset<'py>(
        &self,
        py: Python<'py>,
        email: String,
        redirect_to: Option<String>,
        asynchronous: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.shared
            .call(py, asynchronous, move |client| async move {
                let answer = client
                    .auth()
                    .request_password_reset(&email, redirect_to.as_deref())
                    .await?;
                json(&answer)
            })
    }

    #[pyo3(signature = (token, new_password, *, asynchronous=false))]
    fn reset_password<'py>(
        &self,
        py: Python<'py>,
        token: String,
        new_password: String,
        asynchronous: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.shared
            .call(py, asynchronous, move |client| async move {
                client.auth().reset_password(&token, &new_password).await?;
                Ok(None)
            })
    }
}
