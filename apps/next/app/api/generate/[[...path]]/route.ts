/**
 * `POST /api/generate` starts a generation; `GET|DELETE /api/generate/jobs/<id>` follow, resume or cancel it and
 * `GET /api/generate/jobs/<id>/images/<i>` serves its stored images. One handler of @seedream-kit/react/server
 * answers all of them (it reads the path), so the optional catch-all mounts it on the whole subtree.
 */
import { seedreamRoute } from '../../../../lib/seedream';

export const GET = seedreamRoute;
export const POST = seedreamRoute;
export const DELETE = seedreamRoute;

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';
