/** Project Settings › Project Members: who works in the project, with which role. */
import { PROJECT_ROLES } from '../../api/types';
import { MembersIcon } from '../../components/Icons';
import { PageHeader } from '../../components/PageHeader';
import { MembersCard } from './MembersCard';

export function ProjectMembersPage({ project }: { project: string }) {
  return (
    <div className="page">
      <PageHeader
        icon={<MembersIcon />}
        title="Project Members"
        description="The users who work in this project and their roles: project-admin manages settings and members, project-regular deploys and releases, project-viewer only reads."
      />
      <MembersCard target={{ scope: 'project', name: project }} roles={PROJECT_ROLES} />
    </div>
  );
}
