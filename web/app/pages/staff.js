// pages/staff.js — staff and teams, for administrators (no case content).
import {staffList, teamList} from '../directory.js';
import {frag} from '../dom.js';
import {formatDate, t} from '../i18n.js';
import {h2, heading, p, table} from '../ui.js';

export async function staff() {
  const [people, teams] = await Promise.all([staffList(), teamList()]);
  const name = new Map(people.map((s) => [s.staff_id, s.name]));
  const teamName = new Map(teams.map((x) => [x.team_id, x.name]));
  return {
    title: t('staff.title'),
    body: frag(
      heading(t('staff.title')),
      p(t('staff.intro')),
      table({id: 'staff', caption: t('staff.caption', {n: people.length}), data: people,
             head: [{text: t('staff.name'), sort: (s) => s.name}, {text: t('staff.role'), sort: (s) => s.role},
                    {text: t('dash.team'), sort: (s) => teamName.get(s.team_id) || ''},
                    {text: t('staff.manager')}, {text: t('staff.left'), sort: (s) => s.left_on || ''}],
             rows: people.map((s) => [s.name, t(`roles.${s.role}`), teamName.get(s.team_id) || '',
                                      name.get(s.manager_id) || '', s.left_on ? formatDate(s.left_on) : ''])}),
      h2(t('staff.teams')),
      table({id: 'teams', head: [{text: t('dash.team')}, {text: t('dash.area')}],
             rows: teams.map((x) => [x.name, x.service_area || ''])})),
  };
}
