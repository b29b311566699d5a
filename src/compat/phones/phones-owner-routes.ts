import { Injectable, type OnModuleInit } from '@nestjs/common';
import { OwnerRoutes } from '../../sessions/owner-routes';
import { PhonesService } from './phones.service';

const PHONE = '^/compat/phones/api/v1/user/phones/([^/]+)';

/**
 * The phones API's calls that need the live socket (linking, typing, number checks, group
 * reads): any replica forwards them to the one running the phone's session.
 */
@Injectable()
export class PhonesOwnerRoutes implements OnModuleInit {
  constructor(
    private readonly routes: OwnerRoutes,
    private readonly phones: PhonesService,
  ) {}

  onModuleInit(): void {
    const session = async (_req: unknown, match: RegExpExecArray) => this.phones.sessionIdOf(match[1]);
    this.routes.register(
      { method: 'POST', path: new RegExp(`${PHONE}/(?:connect|typing|has-whatsapp)$`), api: 'phones', session },
      { method: 'GET', path: new RegExp(`${PHONE}/(?:has-whatsapp|groups(?:/[^/]+)?)$`), api: 'phones', session },
    );
  }
}
