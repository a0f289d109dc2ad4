// The fields of a session create that say where its workspace and agent come from (repo clone, auto-routing), shared
// by POST /sessions and POST /stream. Their meaning is checked in sessions/session-origin.ts; here only shapes.
import { z } from 'zod';

export const originFields = {
  repo: z.string().min(1).max(2048).optional(),
  branch: z.string().min(1).max(255).optional(),
  auto_route: z.boolean().optional(),
  task_type: z.string().min(1).max(128).optional(),
  file_paths: z.array(z.string().min(1).max(4096)).max(1000).optional(),
};
