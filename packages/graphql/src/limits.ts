/**
 * Cost safety. Two layers:
 * - validation rules refuse a document before anything runs: more paid fields than allowed in one operation
 *   (aliases, fragments), too deep, too many aliases. Nothing is sent upstream for a refused document.
 * - a budget per operation, counted at run time and keyed by the request object when there is one, so the
 *   operations of one batched HTTP request share one budget (variables and batching cannot multiply work).
 */
import { GraphQLError, Kind } from 'graphql';
import type { ASTVisitor, FragmentDefinitionNode, SelectionSetNode, ValidationContext, ValidationRule } from 'graphql';

/** Root fields that cost money. */
export const PAID_FIELDS: ReadonlySet<string> = new Set(['generateImages', 'imageGeneration']);

export interface SeedreamLimits {
  /** Paid fields (`generateImages`, `imageGeneration`) per operation, aliases and batched operations counted together. Default 1. */
  maxGenerationsPerOperation?: number;
  /** Images per operation (a group counts its `maxImages`, or the most it can produce). Default 15. */
  maxImagesPerOperation?: number;
}

export interface QueryLimits {
  /** Deepest selection (fields nested in fields). Default 12. */
  maxDepth?: number;
  /** Aliased fields in one document. Default 30. */
  maxAliases?: number;
}

export const DEFAULT_LIMITS = { maxGenerationsPerOperation: 1, maxImagesPerOperation: 15 } as const;

function operationLimitError(limit: number): GraphQLError {
  return new GraphQLError(`At most ${limit} image generation${limit === 1 ? '' : 's'} per operation.`, {
    extensions: { code: 'OPERATION_LIMIT_EXCEEDED', limit },
  });
}

/** Counts paid root fields per operation, through fragments and aliases; refuses the document above the limit. */
export function createGenerationLimitRule(maxGenerationsPerOperation: number = DEFAULT_LIMITS.maxGenerationsPerOperation): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(node) {
      const count = countPaidFields(node.selectionSet, context, new Set());
      if (count > maxGenerationsPerOperation) context.reportError(operationLimitError(maxGenerationsPerOperation));
    },
  });
}

function countPaidFields(selectionSet: SelectionSetNode, context: ValidationContext, seen: Set<string>): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (PAID_FIELDS.has(selection.name.value)) count++;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      count += countPaidFields(selection.selectionSet, context, seen);
    } else {
      const name = selection.name.value;
      if (seen.has(name)) continue; // a fragment cycle is reported by NoFragmentCyclesRule
      seen.add(name);
      const fragment = context.getFragment(name);
      if (fragment) count += countPaidFields(fragment.selectionSet, context, seen);
    }
  }
  return count;
}

/** Refuses documents nested deeper than `maxDepth` or with more than `maxAliases` aliases. */
export function createQueryLimitsRule({ maxDepth = 12, maxAliases = 30 }: QueryLimits = {}): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    let aliases = 0;
    return {
      Field(node) {
        if (node.alias && ++aliases === maxAliases + 1) {
          context.reportError(
            new GraphQLError(`At most ${maxAliases} aliases per document.`, { extensions: { code: 'QUERY_TOO_COMPLEX', limit: maxAliases } }),
          );
        }
      },
      OperationDefinition(node) {
        const depth = measureDepth(node.selectionSet, context, maxDepth + 1, new Set());
        if (depth > maxDepth) {
          context.reportError(
            new GraphQLError(`The query is nested deeper than ${maxDepth} levels.`, { extensions: { code: 'QUERY_TOO_COMPLEX', limit: maxDepth } }),
          );
        }
      },
    };
  };
}

function measureDepth(selectionSet: SelectionSetNode, context: ValidationContext, cap: number, path: Set<string>): number {
  if (cap <= 0) return 0;
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      deepest = Math.max(deepest, selection.selectionSet ? 1 + measureDepth(selection.selectionSet, context, cap - 1, path) : 1);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      deepest = Math.max(deepest, measureDepth(selection.selectionSet, context, cap, path));
    } else {
      const fragment: FragmentDefinitionNode | null | undefined = context.getFragment(selection.name.value);
      if (!fragment || path.has(fragment.name.value)) continue;
      path.add(fragment.name.value);
      deepest = Math.max(deepest, measureDepth(fragment.selectionSet, context, cap, path));
      path.delete(fragment.name.value);
    }
    if (deepest >= cap) return deepest;
  }
  return deepest;
}

/** The validation rules to add to any graphql-js server (yoga's helper adds them itself). */
export function seedreamValidationRules(options: { limits?: SeedreamLimits; queryLimits?: QueryLimits } = {}): ValidationRule[] {
  return [createGenerationLimitRule(options.limits?.maxGenerationsPerOperation), createQueryLimitsRule(options.queryLimits)];
}

interface Budget {
  generations: number;
  images: number;
}

/** Run-time budgets, one per operation key (the request object when the context has one). */
export class OperationBudgets {
  readonly #budgets = new WeakMap<object, Budget>();
  constructor(
    readonly maxGenerations: number,
    readonly maxImages: number,
  ) {}

  /** Images still allowed for this key (for capping `max_images`). */
  remainingImages(key: object): number {
    return this.maxImages - (this.#budgets.get(key)?.images ?? 0);
  }

  /** Books one generation of up to `images` images, or throws OPERATION_LIMIT_EXCEEDED / BAD_USER_INPUT. */
  take(key: object, images: number): void {
    const budget = this.#budgets.get(key) ?? { generations: 0, images: 0 };
    if (budget.generations + 1 > this.maxGenerations) throw operationLimitError(this.maxGenerations);
    if (budget.images + images > this.maxImages) {
      const left = this.maxImages - budget.images;
      throw new GraphQLError(`At most ${this.maxImages} images per operation (${left} left).`, {
        extensions: { code: 'OPERATION_LIMIT_EXCEEDED', limit: this.maxImages, field: 'maxImages' },
      });
    }
    budget.generations++;
    budget.images += images;
    this.#budgets.set(key, budget);
  }
}
