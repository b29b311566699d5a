import { Global, Logger, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ensurePrivateDir } from '../common/fs/private-dir';
import { AtRestEncryption } from './at-rest-encryption';
import { installColumnSecretBox } from './encrypted-column';
import { loadKeyring } from './master-key';
import { SecretBox } from './secret-box';

/** The master key and what it encrypts at rest (see docs/security.md). */
@Global()
@Module({
  providers: [
    {
      provide: SecretBox,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        ensurePrivateDir(config.dataDir);
        const ring = loadKeyring(config.crypto, config.dataDir);
        new Logger('AtRestEncryption').log(
          { keyId: ring.current.id, source: ring.source, previousKeys: ring.byId.size - 1 },
          ring.source === 'file' ? `Master key from ${ring.file}` : `Master key from ${ring.source}`,
        );
        const box = new SecretBox(ring);
        installColumnSecretBox(box);
        return box;
      },
    },
    AtRestEncryption,
  ],
  exports: [SecretBox, AtRestEncryption],
})
export class CryptoModule {}
