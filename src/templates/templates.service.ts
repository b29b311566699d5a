import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, QueryFailedError, Repository } from 'typeorm';
import type { Principal } from '../auth/principal';
import { AppError, ForbiddenError } from '../common/errors/app-error';
import { ErrorCode } from '../common/errors/error-codes';
import { SessionAccess } from '../sessions/session-access';
import { SessionResolver } from '../sessions/session-resolver';
import type { CreateTemplateDto, ListTemplatesQueryDto, TemplateDto, UpdateTemplateDto } from './dto/template.dto';
import { MessageTemplateEntity, type TemplateCategory, type TemplateComponent, type TemplateStatus } from './entities/message-template.entity';
import { parametersOf, validateDefinition } from './template-definition';

/** Where a template applies: every session, the sessions of a workspace, or one session. */
export type TemplateScope = { kind: 'global' } | { kind: 'workspace'; workspace: string } | { kind: 'session'; sessionId: string };

/** A definition to store, already in Meta's component format. */
export interface TemplateInput {
  name: string;
  language: string;
  category: TemplateCategory;
  status?: TemplateStatus;
  components: TemplateComponent[];
}

/**
 * Message templates for the Cloud API facade's template sends. Global templates (no session,
 * no workspace) are managed by credentials bound to no session or workspace; a workspace's
 * templates by credentials not bound to another workspace or to a session; bound credentials
 * manage the templates of their own sessions and see the global ones and their workspace's.
 */
@Injectable()
export class TemplatesService {
  constructor(
    @InjectRepository(MessageTemplateEntity) private readonly repo: Repository<MessageTemplateEntity>,
    private readonly access: SessionAccess,
    private readonly resolver: SessionResolver,
  ) {}

  /** @throws AppError VALIDATION_FAILED, TEMPLATE_EXISTS (409), ForbiddenError, SessionNotFoundError */
  async create(principal: Principal, dto: CreateTemplateDto): Promise<TemplateDto> {
    const category = dto.category ?? 'UTILITY';
    const input = { name: dto.name, language: dto.language, category, status: dto.status, components: dto.components as TemplateComponent[] };
    const workspace = dto.workspace ?? (dto.sessionId || principal.sessionId ? undefined : (principal.workspace ?? undefined));
    if (workspace !== undefined) {
      if (dto.sessionId) {
        throw new AppError(ErrorCode.VALIDATION_FAILED, 'Validation failed: workspace: a template belongs to a session or to a workspace, not both', {
          fields: [{ field: 'workspace', messages: ['workspace and sessionId exclude each other'] }],
        });
      }
      const scope: TemplateScope = { kind: 'workspace', workspace };
      if (!this.manages(principal, scope)) throw new ForbiddenError(`This token may not manage the templates of workspace '${workspace}'`);
      return toTemplateDto(await this.createIn(scope, input));
    }
    const sessionId = await this.ownerSession(principal, dto.sessionId ?? principal.sessionId ?? undefined);
    return toTemplateDto(await this.createIn(sessionId ? { kind: 'session', sessionId } : { kind: 'global' }, input));
  }

  /**
   * Stores a template in a scope the caller has already checked (the Cloud API facade checks
   * its WABA with `manages`).
   * @throws AppError VALIDATION_FAILED, TEMPLATE_EXISTS (409: same name and language in that scope)
   */
  async createIn(scope: TemplateScope, input: TemplateInput): Promise<MessageTemplateEntity> {
    const components = validateDefinition(input.components, input.category);
    const sessionId = scope.kind === 'session' ? scope.sessionId : null;
    const workspace = scope.kind === 'workspace' ? scope.workspace : null;
    try {
      return await this.repo.save(
        this.repo.create({ sessionId, workspace, name: input.name, language: input.language, category: input.category, status: input.status ?? 'APPROVED', components }),
      );
    } catch (err) {
      if (err instanceof QueryFailedError && (err as { code?: string }).code === '23505') {
        const where = sessionId ? ` for session '${sessionId}'` : workspace ? ` in workspace '${workspace}'` : '';
        throw new AppError(ErrorCode.TEMPLATE_EXISTS, `A template '${input.name}' in ${input.language} already exists${where}`);
      }
      throw err;
    }
  }

  /**
   * The templates the sessions of a workspace (null: sessions without one) may send, as this
   * credential sees them: global ones, the workspace's, and those of its visible sessions.
   */
  async listForWorkspace(principal: Principal, workspace: string | null): Promise<MessageTemplateEntity[]> {
    const visible = await this.access.visibleSessionIds(principal);
    const qb = this.repo.createQueryBuilder('t').orderBy('t.name').addOrderBy('t.language').addOrderBy('t.created_at');
    qb.where(
      new Brackets((w) => {
        w.where('(t.session_id IS NULL AND t.workspace IS NULL)');
        if (workspace !== null) w.orWhere('t.workspace = :workspace', { workspace });
        if (visible === null) w.orWhere('t.session_id IS NOT NULL');
        else if (visible.length) w.orWhere('t.session_id IN (:...visible)', { visible });
      }),
    );
    const rows = await qb.getMany();
    const out: MessageTemplateEntity[] = [];
    for (const t of rows) {
      if (t.sessionId && (await this.workspaceOfSession(t.sessionId)) !== workspace) continue;
      out.push(t);
    }
    return out;
  }

  /** Whether the credential may create, change and delete templates of this scope. */
  manages(principal: Principal, scope: TemplateScope): boolean {
    if (scope.kind === 'global') return !principal.isBound;
    if (scope.kind === 'workspace') return principal.sessionId === null && (principal.workspace === null || principal.workspace === scope.workspace);
    return principal.sessionId === null ? true : principal.sessionId === scope.sessionId;
  }

  /** The scope a stored template belongs to. */
  scopeOf(t: MessageTemplateEntity): TemplateScope {
    if (t.sessionId) return { kind: 'session', sessionId: t.sessionId };
    if (t.workspace) return { kind: 'workspace', workspace: t.workspace };
    return { kind: 'global' };
  }

  /** Deletes templates by id (the caller checked it manages each). */
  async removeIds(ids: string[]): Promise<void> {
    if (ids.length) await this.repo.delete(ids);
  }

  async list(principal: Principal, query: ListTemplatesQueryDto): Promise<TemplateDto[]> {
    const qb = this.repo.createQueryBuilder('t').orderBy('t.name').addOrderBy('t.language');
    const sessionIds = await this.access.visibleSessionIds(principal, query.sessionId);
    if (sessionIds) {
      const ids = sessionIds;
      const workspaces = query.sessionId || principal.sessionId ? await this.workspacesOf(ids) : principal.workspace ? [principal.workspace] : [];
      qb.andWhere(
        new Brackets((w) => {
          w.where('(t.session_id IS NULL AND t.workspace IS NULL)');
          if (ids.length) w.orWhere('t.session_id IN (:...ids)', { ids });
          if (workspaces.length) w.orWhere('t.workspace IN (:...workspaces)', { workspaces });
        }),
      );
    }
    if (query.name) qb.andWhere('t.name = :name', { name: query.name });
    if (query.language) qb.andWhere('t.language = :language', { language: query.language });
    return (await qb.getMany()).map(toTemplateDto);
  }

  async get(principal: Principal, id: string): Promise<TemplateDto> {
    return toTemplateDto(await this.getVisible(principal, id));
  }

  async update(principal: Principal, id: string, dto: UpdateTemplateDto): Promise<TemplateDto> {
    const template = await this.getVisible(principal, id);
    await this.assertManages(principal, template);
    if (dto.category) template.category = dto.category;
    if (dto.components) template.components = validateDefinition(dto.components as TemplateComponent[], template.category);
    if (dto.status) template.status = dto.status;
    return toTemplateDto(await this.repo.save(template));
  }

  async remove(principal: Principal, id: string): Promise<void> {
    const template = await this.getVisible(principal, id);
    await this.assertManages(principal, template);
    await this.repo.delete({ id: template.id });
  }

  /**
   * The template a send of a session uses: the session's own translation first, then its
   * workspace's, then the global one; null when none exists (Meta's 132001).
   */
  async findForSend(sessionId: string, workspace: string | null, name: string, language: string): Promise<MessageTemplateEntity | null> {
    return this.repo
      .createQueryBuilder('t')
      .where('t.name = :name AND t.language = :language', { name, language })
      .andWhere(
        new Brackets((w) => {
          w.where('t.session_id = :sessionId', { sessionId }).orWhere('(t.session_id IS NULL AND t.workspace IS NULL)');
          if (workspace !== null) w.orWhere('t.workspace = :workspace', { workspace });
        }),
      )
      .orderBy('(t.session_id IS NULL)', 'ASC')
      .addOrderBy('(t.workspace IS NULL)', 'ASC')
      .getOne();
  }

  private async getVisible(principal: Principal, id: string): Promise<MessageTemplateEntity> {
    const template = /^[0-9a-f-]{36}$/i.test(id) ? await this.repo.findOneBy({ id }) : null;
    if (!template) throw new AppError(ErrorCode.TEMPLATE_NOT_FOUND, `Template '${id}' was not found`);
    const notFound = () => new AppError(ErrorCode.TEMPLATE_NOT_FOUND, `Template '${id}' was not found`);
    if (template.sessionId) {
      const session = await this.resolver.findEntity(template.sessionId);
      if (!session || !principal.canAccessSession(session.id, session.settings.workspace ?? null)) throw notFound();
    } else if (template.workspace) {
      if (principal.workspace && principal.workspace !== template.workspace) throw notFound();
      if (principal.sessionId && (await this.workspaceOfSession(principal.sessionId)) !== template.workspace) throw notFound();
    }
    return template;
  }

  private async assertManages(principal: Principal, template: MessageTemplateEntity): Promise<void> {
    if (this.manages(principal, this.scopeOf(template))) return;
    throw new ForbiddenError(
      template.workspace
        ? `The templates of workspace '${template.workspace}' are managed by credentials not bound to a session`
        : 'Global templates are managed by credentials not bound to a session or workspace',
    );
  }

  private async workspaceOfSession(sessionId: string): Promise<string | null> {
    return (await this.resolver.findEntity(sessionId))?.settings.workspace ?? null;
  }

  private async workspacesOf(sessionIds: string[]): Promise<string[]> {
    const names = await Promise.all(sessionIds.map((id) => this.workspaceOfSession(id)));
    return [...new Set(names.filter((n): n is string => n !== null))];
  }

  /** The session a new template belongs to (null: global), checked against the credential. */
  private async ownerSession(principal: Principal, ref: string | undefined): Promise<string | null> {
    if (!ref) return null;
    const session = await this.access.authorize(principal, ref);
    return session.id;
  }
}

export function toTemplateDto(t: MessageTemplateEntity): TemplateDto {
  return {
    id: t.id,
    name: t.name,
    language: t.language,
    category: t.category,
    status: t.status,
    sessionId: t.sessionId,
    workspace: t.workspace,
    components: t.components,
    parameters: parametersOf(t.components),
    createdAt: new Date(t.createdAt).toISOString(),
    updatedAt: new Date(t.updatedAt).toISOString(),
  };
}
