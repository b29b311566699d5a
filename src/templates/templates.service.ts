import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, QueryFailedError, Repository } from 'typeorm';
import type { Principal } from '../auth/principal';
import { AppError, ForbiddenError } from '../common/errors/app-error';
import { ErrorCode } from '../common/errors/error-codes';
import { SessionAccess } from '../sessions/session-access';
import { SessionResolver } from '../sessions/session-resolver';
import type { CreateTemplateDto, ListTemplatesQueryDto, TemplateDto, UpdateTemplateDto } from './dto/template.dto';
import { MessageTemplateEntity, type TemplateComponent } from './entities/message-template.entity';
import { parametersOf, validateDefinition } from './template-definition';

/**
 * Message templates for the Cloud API facade's template sends. Global templates (no session)
 * are managed by credentials bound to no session or workspace; bound credentials manage the
 * templates of their own sessions and see the global ones.
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
    const sessionId = await this.ownerSession(principal, dto.sessionId ?? principal.sessionId ?? undefined);
    const components = validateDefinition(dto.components as TemplateComponent[]);
    try {
      const saved = await this.repo.save(
        this.repo.create({
          sessionId,
          name: dto.name,
          language: dto.language,
          category: dto.category ?? 'UTILITY',
          status: dto.status ?? 'APPROVED',
          components,
        }),
      );
      return toTemplateDto(saved);
    } catch (err) {
      if (err instanceof QueryFailedError && (err as { code?: string }).code === '23505') {
        throw new AppError(ErrorCode.TEMPLATE_EXISTS, `A template '${dto.name}' in ${dto.language} already exists${sessionId ? ` for session '${sessionId}'` : ''}`);
      }
      throw err;
    }
  }

  async list(principal: Principal, query: ListTemplatesQueryDto): Promise<TemplateDto[]> {
    const qb = this.repo.createQueryBuilder('t').orderBy('t.name').addOrderBy('t.language');
    const sessionIds = await this.access.visibleSessionIds(principal, query.sessionId);
    if (sessionIds) {
      const ids = sessionIds;
      qb.andWhere(new Brackets((w) => (ids.length ? w.where('t.session_id IS NULL').orWhere('t.session_id IN (:...ids)', { ids }) : w.where('t.session_id IS NULL'))));
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
    if (dto.components) template.components = validateDefinition(dto.components as TemplateComponent[]);
    if (dto.category) template.category = dto.category;
    if (dto.status) template.status = dto.status;
    return toTemplateDto(await this.repo.save(template));
  }

  async remove(principal: Principal, id: string): Promise<void> {
    const template = await this.getVisible(principal, id);
    await this.assertManages(principal, template);
    await this.repo.delete({ id: template.id });
  }

  /**
   * The template a send of `sessionId` uses: the session's own translation first, else the
   * global one; null when neither exists (Meta's 132001).
   */
  async findForSend(sessionId: string, name: string, language: string): Promise<MessageTemplateEntity | null> {
    return this.repo
      .createQueryBuilder('t')
      .where('t.name = :name AND t.language = :language', { name, language })
      .andWhere('(t.session_id = :sessionId OR t.session_id IS NULL)', { sessionId })
      .orderBy('(t.session_id IS NULL)', 'ASC')
      .getOne();
  }

  private async getVisible(principal: Principal, id: string): Promise<MessageTemplateEntity> {
    const template = /^[0-9a-f-]{36}$/i.test(id) ? await this.repo.findOneBy({ id }) : null;
    if (!template) throw new AppError(ErrorCode.TEMPLATE_NOT_FOUND, `Template '${id}' was not found`);
    if (template.sessionId) {
      const session = await this.resolver.findEntity(template.sessionId);
      if (!session || !principal.canAccessSession(session.id, session.settings.workspace ?? null)) {
        throw new AppError(ErrorCode.TEMPLATE_NOT_FOUND, `Template '${id}' was not found`);
      }
    }
    return template;
  }

  private async assertManages(principal: Principal, template: MessageTemplateEntity): Promise<void> {
    if (!template.sessionId && (principal.sessionId || principal.workspace)) {
      throw new ForbiddenError('Global templates are managed by credentials not bound to a session or workspace');
    }
  }

  /** The session a new template belongs to (null: global), checked against the credential. */
  private async ownerSession(principal: Principal, ref: string | undefined): Promise<string | null> {
    if (!ref) {
      if (principal.workspace) {
        throw new AppError(ErrorCode.VALIDATION_FAILED, 'Validation failed: sessionId: a workspace credential creates templates for one of its sessions', {
          fields: [{ field: 'sessionId', messages: ['sessionId is required for workspace credentials'] }],
        });
      }
      return null;
    }
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
    components: t.components,
    parameters: parametersOf(t.components),
    createdAt: new Date(t.createdAt).toISOString(),
    updatedAt: new Date(t.updatedAt).toISOString(),
  };
}
