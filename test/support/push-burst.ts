import { tinyImage, type TinyImage } from './distribution-push.ts';
import { imageActionEvent } from './ecr-events.ts';
import { seededRandom } from './seeded-random.ts';

/**
 * A burst of ECR PUSH events as a busy registry sends them: every digest several times (retags,
 * pushes of the same image to a second repository, EventBridge's at-least-once duplicates),
 * shuffled. What each (repository, digest) should end up tagged with follows from the events.
 */
export interface BurstImage {
  readonly image: TinyImage;
  /** Tags per repository holding the image: what ECR's DescribeImages answers. */
  readonly tags: ReadonlyMap<string, readonly string[]>;
}

export interface PushBurst {
  readonly images: readonly BurstImage[];
  /** Event bodies in delivery order. */
  readonly events: readonly { readonly repository: string; readonly digest: string; readonly body: string }[];
}

const DISTROS = [
  { id: 'debian', versionId: '12' },
  { id: 'ubuntu', versionId: '24.04' },
  { id: 'alpine', versionId: '3.20.3' },
  { id: 'rhel', versionId: '9.4' },
] as const;

export function pushBurst(options: { digests: number; eventsPerDigest: number; repositories: readonly string[]; seed: number }): PushBurst {
  const random = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const images: BurstImage[] = [];
  const events: { repository: string; digest: string; body: string }[] = [];
  for (let i = 0; i < options.digests; i++) {
    const image = tinyImage(pick(DISTROS));
    // Every third image is also pushed to a second repository: one scan, two images' tags.
    const first = options.repositories[i % options.repositories.length]!;
    const second = options.repositories[(i + 1) % options.repositories.length]!;
    const holders = i % 3 === 0 && second !== first ? [first, second] : [first];
    const tags = new Map<string, Set<string>>(holders.map((repository) => [repository, new Set()]));
    for (let k = 0; k < options.eventsPerDigest; k++) {
      const repository = holders[k % holders.length]!;
      // Few tag names per image, so some events are exact duplicates of others.
      const tag = `${i}-${pick(['latest', 'stable', 'build'])}`;
      tags.get(repository)!.add(tag);
      events.push({ repository, digest: image.digest, body: JSON.stringify(imageActionEvent({ repository, digest: image.digest, tag })) });
    }
    images.push({ image, tags: new Map([...tags].map(([repository, names]) => [repository, [...names].sort()])) });
  }
  // Fisher-Yates with the seeded generator: the same seed, the same delivery order.
  for (let i = events.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [events[i], events[j]] = [events[j]!, events[i]!];
  }
  return { images, events };
}
