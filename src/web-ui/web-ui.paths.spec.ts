import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isUiPath } from '../common/http/ui-path';
import { resolveUiFile } from './web-ui.paths';

describe('Dashboard paths', () => {
  const root = mkdtempSync(join(tmpdir(), 'web-ui-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html>');
  writeFileSync(join(root, 'favicon.svg'), '<svg/>');
  writeFileSync(join(root, 'assets', 'index-abc.js'), '');
  const kind = (p: string) => resolveUiFile(root, p)?.kind ?? null;

  it('answers the app for its own routes and deep links, files for files', () => {
    assert.equal(kind('/ui/'), 'index');
    assert.equal(kind('/ui/sessions'), 'index');
    assert.equal(kind('/ui/sessions/qr_1782473171252_bb1a0195'), 'index');
    assert.equal(kind('/ui/sessions/%2B91%2098765%2043210'), 'index');
    assert.equal(kind('/ui/assets/index-abc.js'), 'asset');
    assert.equal(kind('/ui/favicon.svg'), 'file');
    assert.equal(resolveUiFile(root, '/ui/assets/index-abc.js')!.path, join(root, 'assets', 'index-abc.js'));
  });

  it('does not answer the page for missing files, and never leaves the build', () => {
    assert.equal(kind('/ui/assets/gone.js'), null);
    assert.equal(kind('/ui/assets/anything'), null);
    assert.equal(kind('/ui/robots.txt'), null);
    assert.equal(kind('/ui/..%2F..%2Fetc%2Fpasswd'), null);
    assert.equal(kind('/ui/%2e%2e/package.json'), null);
    assert.equal(kind('/ui/.env'), null);
    assert.equal(kind('/ui/%E0%A4%A'), null);
    assert.equal(kind('/ui/a%00b'), null);
  });

  it('knows which paths are the dashboard', () => {
    assert.equal(isUiPath('/ui'), true);
    assert.equal(isUiPath('/ui/sessions'), true);
    assert.equal(isUiPath('/uix'), false);
    assert.equal(isUiPath('/api/ui'), false);
  });
});
