// WebAuthn in the browser for the local issuer's security keys (Ncp.Api/Accounts/SecurityKeys.cs). The server makes
// the options and checks the answers; this file only hands them to navigator.credentials, in the browser's JSON forms.
window.ncpWebAuthn = (() => {
    // Fido2's options carry nulls for members it leaves unset; the browser's parsers want them absent.
    const withoutNulls = value => JSON.parse(JSON.stringify(value, (_, v) => (v === null ? undefined : v)));

    async function register(optionsJson) {
        const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(withoutNulls(JSON.parse(optionsJson)));
        const credential = await navigator.credentials.create({ publicKey });
        return JSON.stringify(credential.toJSON());
    }

    // The sign-in page (Ui/SigningIn/LocalSignIn.razor): the key answers instead of the code, then the form is sent.
    async function signIn(button) {
        const form = button.closest('form');
        const login = form.elements['Form.Login'];
        const password = form.elements['Form.Password'];
        if (!login.reportValidity() || !password.reportValidity()) {
            return;
        }

        const body = new FormData();
        body.append('login', login.value);
        const answer = await fetch(button.dataset.webauthnSignIn, { method: 'POST', body });
        const ceremony = await answer.json();
        const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(withoutNulls(ceremony.options));
        const credential = await navigator.credentials.get({ publicKey });
        form.elements['Form.Assertion'].value = JSON.stringify(credential.toJSON());
        form.elements['Form.KeyState'].value = ceremony.state;
        form.elements['Form.Code'].required = false;
        form.submit();
    }

    document.addEventListener('click', event => {
        const button = event.target.closest('[data-webauthn-sign-in]');
        if (!button) {
            return;
        }

        event.preventDefault();
        const failed = document.getElementById(button.dataset.webauthnError);
        failed.hidden = true;
        signIn(button).catch(error => {
            failed.textContent = `${failed.dataset.prefix} (${error.name})`;
            failed.hidden = false;
        });
    });

    return { register };
})();
