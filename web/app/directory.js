// directory.js — staff and teams (GET /api/v1/staff, /api/v1/teams), read
// once per page load, to show people's names rather than their ids.
import {api} from './api.js';

let staffP = null;
let teamsP = null;

export async function staffList() {
  staffP ??= api.get('/api/v1/staff').then((r) => r.staff).catch((e) => {
    staffP = null;
    throw e;
  });
  return staffP;
}

export async function teamList() {
  teamsP ??= api.get('/api/v1/teams').then((r) => r.teams).catch((e) => {
    teamsP = null;
    throw e;
  });
  return teamsP;
}

// id → "Name" (or the id when it names no one known).
export async function staffNames() {
  const m = new Map();
  for (const s of await staffList()) m.set(s.staff_id, s.name);
  return (id) => (id ? m.get(id) || id : '');
}

// The name of an actor as the log holds it: "user:NAME", "system:...", a staff id.
export function actorName(names, actor) {
  if (!actor) return '';
  if (actor.startsWith('user:')) return actor.slice(5);
  return names(actor);
}
