// ui-connect.js: the connect form. show(values, error) fills it (from remembered settings or a
// deep link); submitting hands {nick, channels, account, password, register, email} to onConnect.

export class ConnectForm {
  constructor(form, onConnect) {
    this.form = form;
    this.fields = form.elements;
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      onConnect(this.values());
    });
    this.fields.register.addEventListener('change', () => this.syncRegister());
  }

  show(values, error) {
    const f = this.fields;
    f.nick.value = values.nick || '';
    f.channels.value = (values.channels || []).join(', ');
    f.account.value = values.account || '';
    f.password.value = values.password || '';
    f.register.checked = Boolean(values.register);
    this.syncRegister();
    this.form.querySelector('#connect-error').textContent = error || '';
    (f.nick.value ? this.form.querySelector('#connect-button') : f.nick).focus();
  }

  syncRegister() {
    const on = this.fields.register.checked;
    this.form.querySelector('#register-extra').hidden = !on;
    this.fields.account.required = on;
    this.fields.password.required = on || this.fields.account.value !== '';
  }

  values() {
    const f = this.fields;
    return {
      nick: f.nick.value.trim(),
      channels: f.channels.value.split(/[,\s]+/).filter(Boolean).map((c) => (/^[#&]/.test(c) ? c : `#${c}`)),
      account: f.account.value.trim(),
      password: f.password.value,
      register: f.register.checked,
      email: f.email.value.trim(),
    };
  }
}
