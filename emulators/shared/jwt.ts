/**
 * RS256 id_token signing with a key generated on first use, and its public
 * key as a JWKS and as PEM (google-auth-library's verifyIdToken fetches PEM
 * certs). Keys are per emulator instance and never leave the process.
 */
import { createSign, generateKeyPairSync, randomBytes, type KeyObject } from "node:crypto";

interface KeyPair {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export class IdTokenSigner {
  private keys: KeyPair | null = null;

  private keyPair(): KeyPair {
    if (!this.keys) {
      const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
      this.keys = { kid: randomBytes(20).toString("hex"), privateKey, publicKey };
    }
    return this.keys;
  }

  sign(claims: Record<string, unknown>): string {
    const { kid, privateKey } = this.keyPair();
    const header = Buffer.from(JSON.stringify({ alg: "RS256", kid, typ: "JWT" })).toString("base64url");
    const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
    const signature = createSign("RSA-SHA256").update(`${header}.${payload}`).sign(privateKey).toString("base64url");
    return `${header}.${payload}.${signature}`;
  }

  jwks(): { keys: Record<string, unknown>[] } {
    const { kid, publicKey } = this.keyPair();
    return { keys: [{ ...publicKey.export({ format: "jwk" }), kid, use: "sig", alg: "RS256" }] };
  }

  pemCerts(): Record<string, string> {
    const { kid, publicKey } = this.keyPair();
    return { [kid]: String(publicKey.export({ format: "pem", type: "spki" })) };
  }
}
