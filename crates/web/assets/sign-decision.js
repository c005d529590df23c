// Signs a prepared decision in the browser with the member's minisign secret
// key file (unencrypted, as `minisign -G -W` or `accord member-key generate`
// writes it). The file is read here and never sent: only the signature goes
// into the form. The signature is minisign's legacy `Ed` form (Ed25519 over
// the bytes themselves, which the Web Crypto API offers), which minisign and
// the platform both verify. Without this script the page still works: the
// member signs the downloaded file with minisign and pastes the signature.
(() => {
  const box = document.getElementById('browser-signing');
  const bytes = document.getElementById('decision-bytes');
  const out = document.getElementById('signature');
  if (!box || !bytes || !out || !window.isSecureContext || !window.crypto?.subtle) return;
  box.hidden = false;
  const status = document.getElementById('sign-status');
  const msg = box.dataset;
  const toB64 = (u8) => btoa(String.fromCharCode(...u8));
  const fromB64 = (s) => Uint8Array.from(atob(s.trim()), (c) => c.charCodeAt(0));
  // PKCS#8 wrapping of a 32-byte Ed25519 seed (RFC 8410).
  const PKCS8_PREFIX = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];
  const ED = { name: 'Ed25519' };

  document.getElementById('sign-with-key').addEventListener('click', async () => {
    const file = document.getElementById('key_file').files[0];
    if (!file) {
      status.textContent = msg.msgNoFile;
      return;
    }
    try {
      const lines = (await file.text()).split(/\r?\n/).filter((l) => l.trim());
      if (lines.length !== 2 || !lines[0].startsWith('untrusted comment:')) throw new Error(msg.msgNotKey);
      let raw;
      try {
        raw = fromB64(lines[1]);
      } catch {
        throw new Error(msg.msgNotKey);
      }
      // "Ed", KDF, "B2", salt 32, opslimit 8, memlimit 8, key id 8, secret 64, checksum 32.
      if (raw.length !== 158 || raw[0] !== 0x45 || raw[1] !== 0x64) throw new Error(msg.msgNotKey);
      if (raw[2] !== 0 || raw[3] !== 0) throw new Error(msg.msgEncrypted);
      const keyId = raw.slice(54, 62);
      const seed = raw.slice(62, 94);
      const key = await crypto.subtle.importKey('pkcs8', new Uint8Array([...PKCS8_PREFIX, ...seed]), ED, false, ['sign']);
      const enc = new TextEncoder();
      const signature = new Uint8Array(await crypto.subtle.sign(ED, key, enc.encode(bytes.textContent)));
      const trusted = `timestamp:${Math.floor(Date.now() / 1000)}\tfile:decision.json`;
      const global = new Uint8Array(
        await crypto.subtle.sign(ED, key, new Uint8Array([...signature, ...enc.encode(trusted)])),
      );
      out.value = [
        'untrusted comment: signature from the member key, made in the browser',
        toB64(new Uint8Array([0x45, 0x64, ...keyId, ...signature])),
        `trusted comment: ${trusted}`,
        toB64(global),
        '',
      ].join('\n');
      status.textContent = msg.msgSigned;
    } catch (e) {
      status.textContent = e?.message || String(e);
    }
  });
})();
