import { Empty } from '../components/States';
import { Link } from '../router/router';

export function NotFoundPage() {
  return (
    <Empty title="There is no page here">
      <Link to="/projects">Go to your projects</Link>
    </Empty>
  );
}
