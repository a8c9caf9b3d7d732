import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context.js';
import { Allow } from '../rbac/index.js';
import { PreferencePairConnection } from '../review/index.js';
import { CreateDatasetVersionInput, DatasetFilters, DatasetVersion, DialogueImportReport, DownloadLink, ImportDialoguesInput } from './datasets.types.js';

/** Dataset versions for ML engineers and admins: build, list, download; and dialogue import. */
@Resolver(() => DatasetVersion)
export class DatasetsResolver {
  @FieldResolver(() => String, { nullable: true, description: 'The dataset card (README.md, Markdown) once READY: counts, filters, formats and how it was made; no records' })
  card(@Root() version: { status: string; location: string | null }, @Ctx() ctx: Context) {
    return ctx.services.datasets.card(version);
  }

  @Allow('create', 'DatasetVersion')
  @Mutation(() => DatasetVersion, { description: 'Starts building an immutable dataset version (status BUILDING); poll datasetVersion until READY' })
  createDatasetVersion(@Ctx() ctx: Context, @Arg('input', () => CreateDatasetVersionInput, { nullable: true }) input?: CreateDatasetVersionInput) {
    return ctx.services.datasets.create(ctx, input ?? {});
  }

  @Allow('read', 'DatasetVersion')
  @Query(() => [DatasetVersion], { description: 'Dataset versions, newest first' })
  datasetVersions(@Ctx() ctx: Context, @Arg('first', () => Int, { defaultValue: 50 }) first = 50) {
    return ctx.services.datasets.list(first);
  }

  @Allow('read', 'DatasetVersion')
  @Query(() => DatasetVersion)
  datasetVersion(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.datasets.get(id);
  }

  @Allow('export', 'DatasetVersion')
  @Mutation(() => DownloadLink, { description: 'A short-lived link to one file of a READY version (path as in its files, or manifest.json); recorded as an export' })
  datasetDownload(@Arg('id', () => ID) id: string, @Arg('path', () => String) path: string, @Ctx() ctx: Context) {
    return ctx.services.datasets.downloadLink(ctx, id, path);
  }

  @Allow('read', 'PreferencePair')
  @Query(() => PreferencePairConnection, { description: 'Derived preference pairs (as stored: redaction happens when a version is built); reading them is recorded' })
  async preferencePairs(
    @Ctx() ctx: Context,
    @Arg('filters', () => DatasetFilters, { nullable: true }) filters?: DatasetFilters,
    @Arg('first', () => Int, { defaultValue: 50 }) first = 50,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return ctx.services.datasets.pairs(ctx, filters ?? {}, first, after);
  }

  @Allow('create', 'DialogueImport')
  @Mutation(() => DialogueImportReport, { description: 'Imports OpenAI or ShareGPT dialogues as your conversations: cleaned, deduplicated, reviewable and exported as SFT data' })
  importDialogues(@Arg('input', () => ImportDialoguesInput) input: ImportDialoguesInput, @Ctx() ctx: Context) {
    return ctx.services.datasets.importDialogues(ctx, input);
  }
}
