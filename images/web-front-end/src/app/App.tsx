import { Navigate, Route, Routes } from "react-router";
import { Header } from "./components/Header";
import { useLoad } from "./hooks";
import { AccountPage } from "./pages/AccountPage";
import { AdminPage } from "./pages/AdminPage";
import { AboutPage, NotFoundPage } from "./pages/InfoPages";
import { StatusPage } from "./pages/StatusPage";
import { TradePage } from "./pages/TradePage";
import { loadStateUi } from "./stateUi";

export function App() {
  const stateUi = useLoad(loadStateUi, []).data;
  return (
    <>
      <Header stateUi={stateUi} />
      <main>
        <Routes>
          <Route path="/" element={<Navigate to="/trade" replace />} />
          <Route path="/trade" element={<TradePage />} />
          <Route path="/account" element={<AccountPage />} />
          <Route path="/admin" element={<AdminPage />} />
          <Route path="/about" element={<AboutPage stateUi={stateUi} />} />
          <Route path="/status" element={<StatusPage stateUi={stateUi} />} />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </main>
    </>
  );
}
