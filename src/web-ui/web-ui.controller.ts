import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { existsSync } from 'node:fs';
import { Public } from '../common/decorators/public.decorator';
import { AppError } from '../common/errors/app-error';
import { ErrorCode } from '../common/errors/error-codes';
import { defaultWebDir, resolveUiFile, UI_BASE } from './web-ui.paths';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

/**
 * Serves the dashboard's static build. Public: the app is only HTML, scripts and styles; it
 * signs in against the API, which keeps every credential check.
 */
@ApiExcludeController()
@Public()
@Controller()
export class WebUiController {
  private readonly root = defaultWebDir();

  /** `/` and `/dashboard` lead to the dashboard. */
  @Get(['', 'dashboard'])
  home(@Res() res: Response): void {
    res.redirect(302, `${UI_BASE}/`);
  }

  @Get(['ui', 'ui/{*path}'])
  serve(@Req() req: Request, @Res() res: Response): void {
    if (req.path === UI_BASE) {
      const q = req.url.indexOf('?');
      return res.redirect(301, `${UI_BASE}/${q === -1 ? '' : req.url.slice(q)}`);
    }
    if (!existsSync(`${this.root}/index.html`)) {
      throw new AppError(ErrorCode.ROUTE_NOT_FOUND, 'The dashboard is not built: run `npm run build` (or `npm start`, which builds it)');
    }
    const file = resolveUiFile(this.root, req.path);
    if (!file) throw new AppError(ErrorCode.ROUTE_NOT_FOUND, `Cannot ${req.method} ${req.path}`);
    res.sendFile(file.path, { headers: { 'Cache-Control': file.kind === 'asset' ? IMMUTABLE : REVALIDATE }, cacheControl: false, dotfiles: 'deny' }, (err) => {
      if (err && !res.headersSent) res.status(404).end();
    });
  }
}
